output "environment_name" {
  description = "Environment name (the Terraform workspace)."
  value       = local.environment_name
}

output "bucket_names" {
  description = "S3 bucket names, keyed by suffix from app-resources.json."
  value       = module.resources.bucket_names
}

output "parameter_names" {
  description = "Names of the /<env>/apps/ configuration parameters."
  value       = module.resources.parameter_names
}

output "namespaces" {
  description = "Kubernetes namespaces created for the services."
  value       = module.apps.namespaces
}

output "credentials_mode" {
  description = "How auxiliary-service gets AWS credentials: access_key, pod_identity or irsa."
  value       = module.apps.credentials_mode
}

output "service_role_arn" {
  description = "ARN of the IAM role auxiliary-service assumes (pod_identity and irsa; null for access_key)."
  value       = module.apps.service_role_arn
}

output "service_user_name" {
  description = "Name of the IAM user auxiliary-service authenticates as (access_key; null otherwise)."
  value       = module.apps.service_user_name
}

output "service_user_arn" {
  description = "ARN of the IAM user auxiliary-service authenticates as (access_key; null otherwise)."
  value       = module.apps.service_user_arn
}

output "service_user_access_key_id" {
  description = "Access key id of the service user (the secret is only in state, SSM and the Kubernetes Secret)."
  value       = module.apps.service_user_access_key_id
  sensitive   = true
}

output "service_user_key_parameter_names" {
  description = "SecureString parameters that hold the service user's access key id and secret (empty in the keyless modes)."
  value       = module.apps.service_user_key_parameter_names
}

output "argocd_applications" {
  description = "Names of the Argo CD Applications installed through the argocd-apps chart."
  value       = module.apps.argocd_application_names
}
