locals {
  # The workspace names this installation (e.g. `global`); it only tags AWS resources here.
  environment_name = terraform.workspace
}

# Refuse to plan or apply in the `default` workspace. A precondition fails the plan;
# a `check` block would only warn.
resource "terraform_data" "workspace_guard" {
  lifecycle {
    precondition {
      condition     = terraform.workspace != "default"
      error_message = "Select workspace please. terraform workspace select ***"
    }
  }
}

resource "kubernetes_namespace_v1" "argocd" {
  # Every resource depends on the guard, so `-target` cannot skip it.
  depends_on = [terraform_data.workspace_guard]

  metadata {
    name = var.argocd_namespace
    labels = {
      "app.kubernetes.io/managed-by" = "terraform"
      # Argo CD's chart runs as non-root with dropped capabilities; enforce baseline, report restricted.
      "pod-security.kubernetes.io/enforce" = "baseline"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
    }
  }
}

resource "helm_release" "argocd" {
  name       = "argocd"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argo-cd"
  version    = var.argocd_chart_version
  namespace  = kubernetes_namespace_v1.argocd.metadata[0].name

  values = [file("${path.module}/values/argocd.yaml")]

  # CRDs and several Deployments: give the first install time to become ready.
  timeout = 600

  depends_on = [terraform_data.workspace_guard]
}
