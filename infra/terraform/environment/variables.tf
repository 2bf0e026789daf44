variable "aws_region" {
  description = "AWS region for every AWS resource of the environment; also handed to auxiliary-service as AWS_REGION."
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
  description = "Namespace Argo CD runs in (the global module's argocd_namespace): the argocd-apps release and the Applications are created there, whatever metadata.namespace says in infra/argocd/*.yaml."
  type        = string
  default     = "argocd"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_namespace))
    error_message = "argocd_namespace must be a valid Kubernetes namespace name."
  }
}

variable "argocd_apps_chart_version" {
  description = "Version of the argocd-apps Helm chart (https://argoproj.github.io/argo-helm) that installs the Applications: 2.0.5 or a later 2.x (applications as a map; 2.0.5 is the first to render spec.sourceHydrator)."
  type        = string
  default     = "2.0.5"

  validation {
    condition     = can(regex("^2\\.(0\\.([5-9]|[1-9][0-9]+)|[1-9][0-9]*\\.[0-9]+)$", var.argocd_apps_chart_version))
    error_message = "argocd_apps_chart_version must be an exact version 2.0.5 or later within 2.x (the values layout and spec fields this module renders)."
  }
}

variable "bucket_name_prefix" {
  description = "Prefix of every bucket name (S3 names are global: test-apps-main is probably taken). Empty keeps the specification's names; e.g. \"acme-\" gives acme-test-apps-main."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-z0-9][a-z0-9-]{0,18}-)?$", var.bucket_name_prefix)) && !startswith(var.bucket_name_prefix, "xn--") && !startswith(var.bucket_name_prefix, "sthree-") && !startswith(var.bucket_name_prefix, "amzn-s3-demo-")
    error_message = "bucket_name_prefix must be empty or up to 20 lowercase letters, digits and -, starting with a letter or digit and ending with - (and not xn--, sthree-, amzn-s3-demo-)."
  }
}

variable "force_destroy_buckets" {
  description = "Let terraform destroy delete the buckets with every object version in them. Versioned buckets otherwise refuse to be deleted."
  type        = bool
  default     = false
}

# The one way to hand auxiliary-service an extra setting without changing the manifests: the
# same Deployment runs against real AWS (empty, the default) and against an emulator (the
# cluster e2e run sets AWS_ENDPOINT_URL here, from a tfvars file outside the repository).
variable "auxiliary_service_settings" {
  description = "Extra environment variables for auxiliary-service (name => value), written to the ConfigMap auxiliary-service-settings that its Deployment reads with envFrom. Empty by default. Not for secrets (a ConfigMap is not one), and not for the variables Terraform or the Deployment already set."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.auxiliary_service_settings) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "auxiliary_service_settings keys must be environment variable names (letters, digits and _, not starting with a digit)."
  }

  validation {
    condition     = length(setintersection(keys(var.auxiliary_service_settings), ["ENVIRONMENT_NAME", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LOG_LEVEL", "SHUTDOWN_DELAY_MS", "SHUTDOWN_TIMEOUT_MS"])) == 0
    error_message = "auxiliary_service_settings must not set ENVIRONMENT_NAME, AWS_REGION, the AWS credentials, LOG_LEVEL, SHUTDOWN_DELAY_MS or SHUTDOWN_TIMEOUT_MS: Terraform or the Deployment sets them, and a variable set there wins over envFrom."
  }
}

variable "image_pull_secret" {
  description = "Registry credentials for private images (GHCR packages start private): registry host, user name and a read-only token. Creates the Secret image-pull-secret in both namespaces and turns on the Kustomize component that lists it in the ServiceAccounts. Null: images are public."
  type = object({
    registry = string
    username = string
    password = string
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.image_pull_secret == null || try(can(regex("^[a-z0-9.-]+(:[0-9]+)?$", var.image_pull_secret.registry)) && length(var.image_pull_secret.username) > 0 && length(var.image_pull_secret.password) > 0, false)
    error_message = "image_pull_secret needs a registry host (e.g. ghcr.io), a user name and a non-empty token."
  }
}

variable "argocd_repository_credentials" {
  description = "HTTPS credentials Argo CD uses to read the Applications' Git repository when it is private (e.g. a fine-grained GitHub token with read access to contents). Null: the repository is public."
  type = object({
    username = string
    password = string
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.argocd_repository_credentials == null || try(length(var.argocd_repository_credentials.username) > 0 && length(var.argocd_repository_credentials.password) > 0, false)
    error_message = "argocd_repository_credentials needs a non-empty username and password (token)."
  }
}

variable "credentials_mode" {
  description = "How auxiliary-service gets AWS credentials: access_key (default, the specification: IAM user, access key in state, SSM and the Kubernetes Secret), pod_identity (EKS Pod Identity: a role, no key) or irsa (IAM roles for service accounts: a role, no key)."
  type        = string
  default     = "access_key"

  validation {
    condition     = contains(["access_key", "pod_identity", "irsa"], var.credentials_mode)
    error_message = "credentials_mode must be access_key, pod_identity or irsa."
  }
}

variable "eks_cluster_name" {
  description = "Name of the EKS cluster the environment runs on. Required for credentials_mode pod_identity and irsa; unused for access_key."
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
