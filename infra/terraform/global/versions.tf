terraform {
  # 1.10: S3 backend `use_lockfile` (see backend.tf).
  required_version = "~> 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.38"
    }
    # Helm provider 3.x: `kubernetes = { ... }` and `set = [ ... ]` are attributes, not blocks.
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
  }
}
