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

module "resources" {
  source = "./resources"

  environment_name = local.environment_name
  bucket_suffixes  = local.app_resources.bucket_suffixes
  parameters       = local.app_resources.parameters
}

module "apps" {
  source = "./apps"

  environment_name          = local.environment_name
  aws_region                = var.aws_region
  service_user_bucket_name  = module.resources.bucket_names["apps-main"]
  argocd_namespace          = var.argocd_namespace
  argocd_apps_chart_version = var.argocd_apps_chart_version
  argocd_application_files  = local.argocd_application_files
}
