locals {
  buckets = { for suffix in var.bucket_suffixes : suffix => "${var.bucket_name_prefix}${var.environment_name}-${suffix}" }

  parameters = {
    for key, value in var.parameters :
    "/${var.environment_name}/apps/${key}" => replace(value, "{env}", var.environment_name)
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy_buckets

  lifecycle {
    # Fails the plan, not the apply half-way: S3 allows at most 63 characters.
    precondition {
      condition     = length(each.value) <= 63
      error_message = "Bucket name ${each.value} is longer than 63 characters: shorten bucket_name_prefix or the environment name."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_ssm_parameter" "this" {
  for_each = local.parameters

  name  = each.key
  type  = "String"
  value = each.value
}
