variable "environment_name" {
  description = "Environment name (the root module's Terraform workspace); prefixes every bucket and parameter."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,31}$", var.environment_name))
    error_message = "environment_name must be 1-32 lowercase letters, digits and -, starting with a letter or digit."
  }
}

variable "bucket_name_prefix" {
  description = "Prefix of every bucket name (S3 bucket names are global across all AWS accounts); empty for the specification's names."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-z0-9][a-z0-9-]{0,18}-)?$", var.bucket_name_prefix)) && !startswith(var.bucket_name_prefix, "xn--") && !startswith(var.bucket_name_prefix, "sthree-") && !startswith(var.bucket_name_prefix, "amzn-s3-demo-")
    error_message = "bucket_name_prefix must be empty or up to 20 lowercase letters, digits and -, starting with a letter or digit and ending with - (and not xn--, sthree-, amzn-s3-demo-)."
  }
}

variable "bucket_suffixes" {
  description = "Bucket name suffixes; each becomes the bucket <bucket_name_prefix><environment_name>-<suffix>."
  type        = list(string)

  validation {
    condition     = length(var.bucket_suffixes) > 0 && alltrue([for suffix in var.bucket_suffixes : can(regex("^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$", suffix))])
    error_message = "bucket_suffixes must be a non-empty list of lowercase letters, digits and - (2-30 characters)."
  }

  validation {
    condition     = length(distinct(var.bucket_suffixes)) == length(var.bucket_suffixes)
    error_message = "bucket_suffixes must not repeat."
  }
}

variable "parameters" {
  description = "Configuration parameters: key = path below /<environment_name>/apps/, value = String value in which {env} is replaced by the environment name."
  type        = map(string)

  validation {
    condition     = alltrue([for key in keys(var.parameters) : can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", key))])
    error_message = "parameters keys must be relative SSM paths (letters, digits, _ . - separated by /)."
  }
}

variable "force_destroy_buckets" {
  description = "Allow terraform destroy to delete non-empty buckets (all object versions included)."
  type        = bool
  default     = false
}
