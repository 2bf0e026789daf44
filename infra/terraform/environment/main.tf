locals {
  # The workspace is the environment. It is read here, in the root module, and nowhere else.
  environment_name = terraform.workspace

  # The one data file for buckets and parameters; the local run seeds the emulator from it too.
  app_resources = jsondecode(file("${path.module}/app-resources.json"))

  # Argo CD Application manifests, written once under infra/argocd/.
  argocd_application_files = [
    "${path.module}/../../argocd/main.yaml",
    "${path.module}/../../argocd/auxiliary.yaml",
  ]

  # The namespaces the apps module creates (fixed names, docs/contract.md); read here only to
  # refuse a second environment in the same cluster before anything is created.
  platform_namespaces = ["main-api", "auxiliary-service"]
  # Label the apps module puts on them: which environment (workspace) owns the cluster.
  environment_label = "aws-k8s-platform/environment"
}

# Refuse to plan or apply in the `default` workspace. A precondition fails the plan;
# a `check` block would only warn.
resource "terraform_data" "workspace_guard" {
  lifecycle {
    precondition {
      condition     = terraform.workspace != "default"
      error_message = "Select workspace please. terraform workspace select ***"
    }
  }
}

# One environment per cluster: the namespaces and the argocd-apps release have fixed names.
# A missing namespace lists zero objects, so a fresh cluster passes.
data "kubernetes_resources" "platform_namespaces" {
  for_each = toset(local.platform_namespaces)

  api_version    = "v1"
  kind           = "Namespace"
  field_selector = "metadata.name=${each.value}"
}

resource "terraform_data" "cluster_guard" {
  lifecycle {
    precondition {
      condition = alltrue(flatten([
        for found in data.kubernetes_resources.platform_namespaces : [
          for namespace in found.objects : try(namespace.metadata.labels[local.environment_label], "") == local.environment_name
        ]
      ]))
      error_message = "Namespace main-api or auxiliary-service already exists in this cluster without the label ${local.environment_label}=${local.environment_name}: another environment (or something else) owns it. One environment per cluster; see infra/terraform/environment/README.md."
    }
  }
}

module "resources" {
  source = "./resources"

  environment_name      = local.environment_name
  bucket_name_prefix    = var.bucket_name_prefix
  bucket_suffixes       = local.app_resources.bucket_suffixes
  parameters            = local.app_resources.parameters
  force_destroy_buckets = var.force_destroy_buckets

  # `-target` includes what a target depends on, so no module can be applied past the guards.
  depends_on = [terraform_data.workspace_guard, terraform_data.cluster_guard]
}

module "apps" {
  source = "./apps"

  environment_name              = local.environment_name
  environment_label             = local.environment_label
  aws_region                    = var.aws_region
  auxiliary_service_settings    = var.auxiliary_service_settings
  service_user_bucket_name      = module.resources.bucket_names["apps-main"]
  argocd_namespace              = var.argocd_namespace
  argocd_apps_chart_version     = var.argocd_apps_chart_version
  argocd_application_files      = local.argocd_application_files
  argocd_repository_credentials = var.argocd_repository_credentials
  image_pull_secret             = var.image_pull_secret
  credentials_mode              = var.credentials_mode
  eks_cluster_name              = var.eks_cluster_name

  depends_on = [terraform_data.workspace_guard, terraform_data.cluster_guard]
}
