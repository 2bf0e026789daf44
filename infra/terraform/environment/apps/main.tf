data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # Names other parts of the system rely on (docs/contract.md): change them everywhere or not at all.
  namespaces = {
    main_api          = "main-api"
    auxiliary_service = "auxiliary-service"
  }
  service_user_name             = "${var.environment_name}-app-service-user"
  service_user_parameter_prefix = "/${var.environment_name}/service_user"
  credentials_secret_name       = "auxiliary-service-aws-credentials"
  environment_config_map_name   = "auxiliary-service-environment"
  settings_config_map_name      = "auxiliary-service-settings"
  image_pull_secret_name        = "image-pull-secret"

  # Whether optional inputs are set. The inputs are sensitive; whether they are null is not,
  # and for_each/count refuse sensitive values.
  image_pull_secret_enabled             = nonsensitive(var.image_pull_secret != null)
  argocd_repository_credentials_enabled = nonsensitive(var.argocd_repository_credentials != null)

  # Every variable of the policy template; the tests render the template with the same keys.
  service_user_policy_variables = {
    partition   = data.aws_partition.current.partition
    dns_suffix  = data.aws_partition.current.dns_suffix
    region      = var.aws_region
    account_id  = data.aws_caller_identity.current.account_id
    environment = var.environment_name
    bucket_name = var.service_user_bucket_name
  }
}

# --- Kubernetes namespaces --------------------------------------------------------------

# Terraform is the one owner of these namespaces: the Applications do not set
# managedNamespaceMetadata, so Argo CD never applies them while they exist (it only creates
# one that is missing, CreateNamespace=true, as the specification asks).
resource "kubernetes_namespace_v1" "this" {
  for_each = local.namespaces

  metadata {
    name = each.value
    labels = {
      "app.kubernetes.io/managed-by"       = "terraform"
      "pod-security.kubernetes.io/enforce" = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
      # Read by the root module's cluster guard: one environment per cluster.
      (var.environment_label) = var.environment_name
    }
  }
}
