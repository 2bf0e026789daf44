output "argocd_namespace" {
  description = "Namespace Argo CD runs in."
  value       = kubernetes_namespace_v1.argocd.metadata[0].name
}

output "argocd_release_name" {
  description = "Name of the argo-cd Helm release."
  value       = helm_release.argocd.name
}

output "argocd_chart_version" {
  description = "Installed version of the argo-cd Helm chart."
  value       = helm_release.argocd.version
}

output "argocd_initial_admin_password_command" {
  description = "Command that prints Argo CD's initial admin password (the password itself is not kept in Terraform)."
  value       = "kubectl -n ${kubernetes_namespace_v1.argocd.metadata[0].name} get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d"
}
