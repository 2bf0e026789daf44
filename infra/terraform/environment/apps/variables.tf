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
  description = "Version of the argocd-apps Helm chart: 2.0.5 or a later 2.x (applications as a map; sourceHydrator rendered)."
  type        = string
  default     = "2.0.5"

  validation {
    condition     = can(regex("^2\\.(0\\.([5-9]|[1-9][0-9]+)|[1-9][0-9]*\\.[0-9]+)$", var.argocd_apps_chart_version))
    error_message = "argocd_apps_chart_version must be an exact version 2.0.5 or later within 2.x."
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

variable "environment_label" {
  description = "Label key put on the namespaces with the environment name as value; the root module's cluster guard reads it."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", var.environment_label))
    error_message = "environment_label must be a valid Kubernetes label key."
  }
}

variable "auxiliary_service_settings" {
  description = "Extra environment variables for auxiliary-service, written to the ConfigMap auxiliary-service-settings (read with envFrom)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.auxiliary_service_settings) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "auxiliary_service_settings keys must be environment variable names."
  }
}

variable "image_pull_secret" {
  description = "Registry credentials for private images (registry host, user name, token), or null for public images."
  type = object({
    registry = string
    username = string
    password = string
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.image_pull_secret == null || try(length(var.image_pull_secret.registry) > 0 && length(var.image_pull_secret.username) > 0 && length(var.image_pull_secret.password) > 0, false)
    error_message = "image_pull_secret needs a registry host, a user name and a token."
  }
}

variable "argocd_repository_credentials" {
  description = "HTTPS credentials for the Applications' Git repository (private forks), or null for a public repository."
  type = object({
    username = string
    password = string
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.argocd_repository_credentials == null || try(length(var.argocd_repository_credentials.username) > 0 && length(var.argocd_repository_credentials.password) > 0, false)
    error_message = "argocd_repository_credentials needs a non-empty username and password."
  }
}

variable "credentials_mode" {
  description = "How auxiliary-service gets AWS credentials: access_key (the specification's IAM user and static key in the Secret), pod_identity (EKS Pod Identity role) or irsa (IAM role for the ServiceAccount via the cluster's OIDC provider)."
  type        = string
  default     = "access_key"

  validation {
    condition     = contains(["access_key", "pod_identity", "irsa"], var.credentials_mode)
    error_message = "credentials_mode must be access_key, pod_identity or irsa."
  }
}

variable "eks_cluster_name" {
  description = "Name of the EKS cluster; required for credentials_mode pod_identity (the association) and irsa (its OIDC issuer)."
  type        = string
  default     = null

  validation {
    condition     = var.eks_cluster_name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.eks_cluster_name))
    error_message = "eks_cluster_name must be an EKS cluster name (letters, digits, - and _, up to 100 characters)."
  }

  validation {
    condition     = var.credentials_mode == "access_key" || var.eks_cluster_name != null
    error_message = "eks_cluster_name is required when credentials_mode is pod_identity or irsa."
  }
}
