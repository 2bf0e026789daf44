# Run in the `global` workspace (the file name is the workspace; scripts/terraform-test.sh).
# Mock providers: no cloud, no cluster; the plan is checked, nothing is created.

mock_provider "aws" {}
mock_provider "kubernetes" {}
mock_provider "helm" {}

variables {
  kubeconfig_context = "kind-e2e"
}

run "installs_argocd_from_the_official_chart" {
  command = plan

  assert {
    condition     = kubernetes_namespace_v1.argocd.metadata[0].name == "argocd"
    error_message = "Argo CD must get its own namespace, argocd by default."
  }
  assert {
    condition     = kubernetes_namespace_v1.argocd.metadata[0].labels["pod-security.kubernetes.io/enforce"] == "baseline"
    error_message = "The argocd namespace enforces the baseline Pod Security profile."
  }
  assert {
    condition     = helm_release.argocd.chart == "argo-cd" && helm_release.argocd.repository == "https://argoproj.github.io/argo-helm"
    error_message = "Argo CD comes from the official argo-cd chart."
  }
  assert {
    condition     = helm_release.argocd.version == var.argocd_chart_version && helm_release.argocd.namespace == "argocd"
    error_message = "The release installs the pinned chart version into the argocd namespace."
  }
  assert {
    condition     = yamldecode(helm_release.argocd.values[0]).server.service.type == "ClusterIP" && yamldecode(helm_release.argocd.values[0]).dex.enabled == false
    error_message = "values/argocd.yaml keeps the server ClusterIP (specification 7.4) and Dex off."
  }
  assert {
    condition     = output.argocd_namespace == "argocd" && output.argocd_release_name == "argocd"
    error_message = "The outputs name the namespace and the release."
  }
}

run "installs_into_another_namespace" {
  command = plan

  variables {
    argocd_namespace = "gitops"
  }

  assert {
    condition     = kubernetes_namespace_v1.argocd.metadata[0].name == "gitops" && helm_release.argocd.namespace == "gitops"
    error_message = "argocd_namespace moves both the namespace and the release."
  }
}

run "refuses_a_chart_version_range" {
  command = plan

  variables {
    argocd_chart_version = "~> 9.1"
  }

  expect_failures = [var.argocd_chart_version]
}

run "requires_a_kubeconfig_context" {
  command = plan

  variables {
    kubeconfig_context = " "
  }

  expect_failures = [var.kubeconfig_context]
}
