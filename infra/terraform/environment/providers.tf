provider "aws" {
  region = var.aws_region
  # null falls back to the provider's default credential chain (environment, SSO cache, instance role, ...).
  profile = var.aws_profile

  default_tags {
    tags = {
      env    = local.environment_name
      source = "terraform"
    }
  }
}

provider "kubernetes" {
  config_path    = var.kubeconfig_path
  config_context = var.kubeconfig_context
}

provider "helm" {
  kubernetes = {
    config_path    = var.kubeconfig_path
    config_context = var.kubeconfig_context
  }
}
