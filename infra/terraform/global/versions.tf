terraform {
  # 1.11: S3 backend `use_lockfile` is generally available (experimental in 1.10; see backend.tf).
  required_version = "~> 1.11"

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
    # 3.1.1 fixes "inconsistent result after apply" when a release's chart version changes.
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.1.1, < 4.0.0"
    }
  }
}
