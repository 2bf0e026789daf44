variable "aws_region" {
  description = "AWS region of the AWS provider (no AWS resources are global yet; kept for global AWS configuration)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region such as eu-west-1."
  }
}

variable "aws_profile" {
  description = "Named AWS CLI/SSO profile to authenticate with. Leave null to use any other method of the AWS provider's credential chain."
  type        = string
  default     = null

  validation {
    condition     = var.aws_profile == null || try(length(trimspace(var.aws_profile)) > 0, false)
    error_message = "aws_profile must be null or a non-empty profile name."
  }
}

variable "kubeconfig_path" {
  description = "Path of the kubeconfig file the kubernetes and helm providers use. Terraform does not read $KUBECONFIG: pass it as TF_VAR_kubeconfig_path=\"$KUBECONFIG\" if you use it."
  type        = string
  default     = "~/.kube/config"

  validation {
    condition     = length(trimspace(var.kubeconfig_path)) > 0
    error_message = "kubeconfig_path must not be empty."
  }
}

# Required on purpose: the file's current context is whatever kubectl last switched to, and
# installing Argo CD or the credentials Secret into the wrong cluster must not be one typo away.
variable "kubeconfig_context" {
  description = "kubeconfig context of the target cluster (for EKS, the alias given to `aws eks update-kubeconfig --alias`). Required: the current context is never used implicitly."
  type        = string

  validation {
    condition     = length(trimspace(var.kubeconfig_context)) > 0
    error_message = "kubeconfig_context must name a context of the kubeconfig file (kubectl config get-contexts)."
  }
}

variable "argocd_namespace" {
  description = "Namespace Argo CD is installed in (the environment module creates its Applications there)."
  type        = string
  default     = "argocd"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_namespace))
    error_message = "argocd_namespace must be a valid Kubernetes namespace name."
  }
}

variable "argocd_chart_version" {
  description = "Exact version of the official argo-cd Helm chart (https://argoproj.github.io/argo-helm)."
  type        = string
  default     = "9.1.9"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_chart_version))
    error_message = "argocd_chart_version must be an exact version (x.y.z), never a range."
  }
}
