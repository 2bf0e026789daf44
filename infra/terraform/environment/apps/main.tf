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

  # Every variable of the policy template; the tests render the template with the same keys.
  service_user_policy_variables = {
    partition   = data.aws_partition.current.partition
    region      = var.aws_region
    account_id  = data.aws_caller_identity.current.account_id
    environment = var.environment_name
    bucket_name = var.service_user_bucket_name
  }

  # Applications as written in infra/argocd/*.yaml, keyed by metadata.name.
  argocd_application_manifests = [for application_file in var.argocd_application_files : yamldecode(file(application_file))]
  argocd_applications          = { for manifest in local.argocd_application_manifests : manifest.metadata.name => manifest }

  # The same Applications in the argocd-apps 2.x values layout: metadata moves to the
  # chart's namespace/finalizers/additionalLabels/additionalAnnotations, spec is kept as is.
  argocd_apps_values = {
    applications = {
      for name, application in local.argocd_applications : name => merge(
        application.spec,
        {
          namespace             = try(application.metadata.namespace, var.argocd_namespace)
          finalizers            = try(application.metadata.finalizers, [])
          additionalLabels      = try(application.metadata.labels, {})
          additionalAnnotations = try(application.metadata.annotations, {})
        },
      )
    }
  }
  # spec fields the argocd-apps 2.x Application template renders; anything else would be dropped silently.
  argocd_apps_spec_fields = ["project", "source", "sources", "destination", "syncPolicy", "revisionHistoryLimit", "ignoreDifferences", "info", "sourceHydrator"]
}

# --- Kubernetes namespaces --------------------------------------------------------------

resource "kubernetes_namespace_v1" "this" {
  for_each = local.namespaces

  metadata {
    name = each.value
    labels = {
      "app.kubernetes.io/managed-by"       = "terraform"
      "pod-security.kubernetes.io/enforce" = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
    }
  }
}

# --- IAM service user -------------------------------------------------------------------

resource "aws_iam_user" "service" {
  name = local.service_user_name
}

resource "aws_iam_user_policy" "service" {
  name   = "${local.service_user_name}-read"
  user   = aws_iam_user.service.name
  policy = templatefile("${path.module}/policies/service-user.json.tftpl", local.service_user_policy_variables)
}

# The secret access key is stored in Terraform state: use an encrypted remote backend.
resource "aws_iam_access_key" "service" {
  user = aws_iam_user.service.name
}

resource "aws_ssm_parameter" "service_user_access_key_id" {
  name        = "${local.service_user_parameter_prefix}/access_key_id"
  description = "Access key id of ${local.service_user_name}."
  type        = "SecureString"
  value       = aws_iam_access_key.service.id
}

resource "aws_ssm_parameter" "service_user_secret_access_key" {
  name        = "${local.service_user_parameter_prefix}/secret_access_key"
  description = "Secret access key of ${local.service_user_name}."
  type        = "SecureString"
  value       = aws_iam_access_key.service.secret
}

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

  data = {
    AWS_ACCESS_KEY_ID     = aws_iam_access_key.service.id
    AWS_SECRET_ACCESS_KEY = aws_iam_access_key.service.secret
    AWS_REGION            = var.aws_region
  }
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

# --- Argo CD Applications ----------------------------------------------------------------

# A Helm release, not kubernetes_manifest: kubernetes_manifest needs the Application CRD at
# plan time, which a fresh cluster only has after the global module is applied. A Helm
# release plans without the CRD and installs the Applications at apply time.
resource "helm_release" "argocd_apps" {
  name       = "argocd-apps"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argocd-apps"
  version    = var.argocd_apps_chart_version
  namespace  = var.argocd_namespace

  values = [yamlencode(local.argocd_apps_values)]

  lifecycle {
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        manifest.apiVersion == "argoproj.io/v1alpha1" && manifest.kind == "Application"
      ])
      error_message = "Every file in argocd_application_files must hold one argoproj.io/v1alpha1 Application."
    }
    precondition {
      condition     = length(local.argocd_applications) == length(local.argocd_application_manifests)
      error_message = "Argo CD Application names (metadata.name) must be unique."
    }
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        length(setsubtract(keys(manifest.spec), local.argocd_apps_spec_fields)) == 0
      ])
      error_message = "An Application uses a spec field the argocd-apps chart does not render."
    }
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        contains(values(local.namespaces), manifest.spec.destination.namespace)
      ])
      error_message = "Every Application must deploy into a namespace this module creates."
    }
  }

  # The workloads need their namespaces, Secret and ConfigMap before Argo CD syncs them.
  depends_on = [
    kubernetes_secret_v1.aws_credentials,
    kubernetes_config_map_v1.environment,
  ]
}
