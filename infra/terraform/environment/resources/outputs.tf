output "bucket_names" {
  description = "Bucket names keyed by suffix."
  value       = { for suffix, bucket in aws_s3_bucket.this : suffix => bucket.bucket }
}

output "bucket_arns" {
  description = "Bucket ARNs keyed by suffix."
  value       = { for suffix, bucket in aws_s3_bucket.this : suffix => bucket.arn }
}

output "parameter_names" {
  description = "Names of the configuration parameters, sorted."
  value       = sort([for parameter in aws_ssm_parameter.this : parameter.name])
}

output "parameter_arns" {
  description = "Configuration parameter ARNs keyed by name."
  value       = { for name, parameter in aws_ssm_parameter.this : name => parameter.arn }
}
