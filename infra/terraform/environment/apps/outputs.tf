output "namespaces" {
  description = "Names of the Kubernetes namespaces created for the services."
  value       = sort([for namespace in kubernetes_namespace_v1.this : namespace.metadata[0].name])
}

output "credentials_mode" {
  description = "How auxiliary-service gets AWS credentials: access_key, pod_identity or irsa."
  value       = var.credentials_mode
}

output "service_user_name" {
  description = "Name of the IAM user auxiliary-service authenticates as (access_key mode; null otherwise)."
  value       = one(aws_iam_user.service[*].name)
}

output "service_user_arn" {
  description = "ARN of the IAM user auxiliary-service authenticates as (access_key mode; null otherwise)."
  value       = one(aws_iam_user.service[*].arn)
}

output "service_user_access_key_id" {
  description = "Access key id of the service user (access_key mode; null otherwise)."
  value       = one(aws_iam_access_key.service[*].id)
  sensitive   = true
}

output "service_user_key_parameter_names" {
  description = "Names of the SecureString parameters holding the service user's access key id and secret (empty in the keyless modes)."
  value = concat(
    aws_ssm_parameter.service_user_access_key_id[*].name,
    aws_ssm_parameter.service_user_secret_access_key[*].name,
  )
}

output "service_role_arn" {
  description = "ARN of the IAM role auxiliary-service assumes (pod_identity and irsa modes; null for access_key)."
  value       = one(aws_iam_role.service[*].arn)
}

output "credentials_secret_name" {
  description = "Kubernetes Secret (namespace auxiliary-service) with AWS_REGION, and AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in access_key mode."
  value       = kubernetes_secret_v1.aws_credentials.metadata[0].name
}

output "environment_config_map_name" {
  description = "Kubernetes ConfigMap (namespace auxiliary-service) with ENVIRONMENT_NAME."
  value       = kubernetes_config_map_v1.environment.metadata[0].name
}

output "argocd_application_names" {
  description = "Names of the Argo CD Applications installed through the argocd-apps release."
  value       = sort(keys(local.argocd_applications))
}
