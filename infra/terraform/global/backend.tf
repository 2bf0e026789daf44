# Terraform state holds the service user's secret access key (and the Kubernetes Secret
# built from it). Keep it in an encrypted, access-controlled remote backend, for example
# S3 with native lock files (Terraform >= 1.11, no DynamoDB table needed):
#
# terraform {
#   backend "s3" {
#     bucket       = "example-org-terraform-state" # versioned, SSE-KMS, public access blocked
#     key          = "aws-k8s-platform/global/terraform.tfstate"
#     region       = "eu-west-1"
#     encrypt      = true
#     kms_key_id   = "alias/terraform-state"
#     use_lockfile = true
#   }
# }
#
# Workspaces other than `default` are stored under env:/<workspace>/<key> in the bucket.
