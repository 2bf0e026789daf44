variable "environment_name" {
  description = "Environment name (the root module's Terraform workspace); prefixes the IAM user, its parameters and the paths it may read."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,31}$", var.environment_name))
    error_message = "environment_name must be 1-32 lowercase letters, digits and -, starting with a letter or digit."
  }
}

variable "aws_region" {
  description = "AWS region of the environment: scopes the IAM policy and becomes AWS_REGION in the auxiliary-service Secret."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region such as eu-west-1."
  }
}

variable "service_user_bucket_name" {
  description = "The one bucket whose objects the service user may list and read (<environment_name>-apps-main)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.service_user_bucket_name))
    error_message = "service_user_bucket_name must be a valid S3 bucket name."
  }
}

variable "argocd_namespace" {
  description = "Namespace Argo CD runs in; the Applications and the argocd-apps release are created there."
  type        = string
  default     = "argocd"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_namespace))
    error_message = "argocd_namespace must be a valid Kubernetes namespace name."
  }
}

variable "argocd_apps_chart_version" {
  description = "Version of the argocd-apps Helm chart (2.x: applications as a map keyed by name)."
  type        = string
  default     = "2.0.2"

  validation {
    condition     = can(regex("^2\\.[0-9]+\\.[0-9]+$", var.argocd_apps_chart_version))
    error_message = "argocd_apps_chart_version must be an exact 2.x.y version."
  }
}

variable "argocd_application_files" {
  description = "Paths of Argo CD Application manifests (one Application per YAML file) to install."
  type        = list(string)

  validation {
    condition     = length(var.argocd_application_files) > 0 && alltrue([for application_file in var.argocd_application_files : endswith(application_file, ".yaml") || endswith(application_file, ".yml")])
    error_message = "argocd_application_files must list at least one .yaml file."
  }
}
