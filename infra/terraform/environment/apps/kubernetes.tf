# --- What auxiliary-service reads from the cluster ----------------------------------------

resource "kubernetes_secret_v1" "aws_credentials" {
  metadata {
    name      = local.credentials_secret_name
    namespace = kubernetes_namespace_v1.this["auxiliary_service"].metadata[0].name
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
      "app.kubernetes.io/part-of"    = "auxiliary-service"
    }
  }

  type = "Opaque"

  # AWS_REGION in every mode (the Deployment reads it from here); the key only in access_key
  # mode. In the keyless modes the SDK's default chain finds the role (Pod Identity's agent or
  # IRSA's web identity token), and the keyless component drops the two key variables.
  data = merge(
    { AWS_REGION = var.aws_region },
    local.use_access_key ? {
      AWS_ACCESS_KEY_ID     = one(aws_iam_access_key.service[*].id)
      AWS_SECRET_ACCESS_KEY = one(aws_iam_access_key.service[*].secret)
    } : {},
  )
}

resource "kubernetes_config_map_v1" "environment" {
  metadata {
    name      = local.environment_config_map_name
    namespace = kubernetes_namespace_v1.this["auxiliary_service"].metadata[0].name
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
      "app.kubernetes.io/part-of"    = "auxiliary-service"
    }
  }

  data = {
    ENVIRONMENT_NAME = var.environment_name
  }
}

# Operator-supplied settings (var.auxiliary_service_settings), read with envFrom. Always
# created, empty by default, so the Deployment can require it: a missing ConfigMap means
# Terraform has not run, and the pod must not start half-configured.
resource "kubernetes_config_map_v1" "settings" {
  metadata {
    name      = local.settings_config_map_name
    namespace = kubernetes_namespace_v1.this["auxiliary_service"].metadata[0].name
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
      "app.kubernetes.io/part-of"    = "auxiliary-service"
    }
  }

  data = var.auxiliary_service_settings
}

# --- Private images ------------------------------------------------------------------------

# Listed in both ServiceAccounts by the Kustomize component deploy/components/image-pull-secret,
# which the Applications turn on only when this Secret exists.
resource "kubernetes_secret_v1" "image_pull" {
  for_each = local.image_pull_secret_enabled ? local.namespaces : {}

  metadata {
    name      = local.image_pull_secret_name
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
    }
  }

  type = "kubernetes.io/dockerconfigjson"

  data = {
    ".dockerconfigjson" = jsonencode({
      auths = {
        (var.image_pull_secret.registry) = {
          username = var.image_pull_secret.username
          password = var.image_pull_secret.password
          auth     = base64encode("${var.image_pull_secret.username}:${var.image_pull_secret.password}")
        }
      }
    })
  }
}
