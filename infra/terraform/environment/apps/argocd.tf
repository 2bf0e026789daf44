locals {
  # Applications as written in infra/argocd/*.yaml. Grouped by metadata.name (`...`), so that a
  # repeated name reaches the precondition below instead of failing this expression first.
  argocd_application_manifests = [for application_file in var.argocd_application_files : yamldecode(file(application_file))]
  argocd_applications_by_name  = { for manifest in local.argocd_application_manifests : manifest.metadata.name => manifest... }
  argocd_applications          = { for name, manifests in local.argocd_applications_by_name : name => manifests[0] }

  # Kustomize components (deploy/components/, paths relative to the Application's path) that
  # this environment's inputs turn on, keyed by the Application's destination namespace. Argo CD
  # adds them at render time (spec.source.kustomize.components): one set of manifests in git.
  argocd_kustomize_components = {
    for key, namespace in local.namespaces : namespace => concat(
      local.image_pull_secret_enabled ? ["../components/image-pull-secret"] : [],
      key == "auxiliary_service" && local.keyless ? ["../components/keyless"] : [],
      key == "auxiliary_service" && local.use_pod_identity ? ["../components/pod-identity-agent"] : [],
    )
  }
  # Inline Kustomize patches (spec.source.kustomize.patches) for values only Terraform knows:
  # IRSA's role ARN on the auxiliary-service ServiceAccount.
  argocd_kustomize_patches = {
    for key, namespace in local.namespaces : namespace => key == "auxiliary_service" && local.use_irsa ? [
      {
        target = { kind = "ServiceAccount", name = local.service_account_name }
        patch = templatefile("${path.module}/kustomize/irsa-service-account.yaml.tftpl", {
          service_account = local.service_account_name
          role_arn        = one(aws_iam_role.service[*].arn)
        })
      },
    ] : []
  }

  # The same Applications in the argocd-apps 2.x values layout: metadata moves to the chart's
  # namespace/finalizers/additionalLabels/additionalAnnotations, spec is kept, plus the
  # components above. They always go where Argo CD runs (var.argocd_namespace): Argo CD only
  # reconciles Applications in its own namespace.
  argocd_apps_values = {
    applications = {
      for name, application in local.argocd_applications : name => merge(
        application.spec,
        {
          source = merge(
            try(application.spec.source, {}),
            {
              for field, kustomize in {
                kustomize = {
                  components = lookup(local.argocd_kustomize_components, application.spec.destination.namespace, [])
                  patches    = lookup(local.argocd_kustomize_patches, application.spec.destination.namespace, [])
                }
              } :
              field => { for option, value in kustomize : option => value if length(value) > 0 } if length(kustomize.components) + length(kustomize.patches) > 0
            },
          )
          namespace             = var.argocd_namespace
          finalizers            = try(application.metadata.finalizers, [])
          additionalLabels      = try(application.metadata.labels, {})
          additionalAnnotations = try(application.metadata.annotations, {})
        },
      )
    }
  }
  # spec fields the argocd-apps Application template renders (2.0.5 and later 2.x); anything
  # else would be dropped silently.
  argocd_apps_spec_fields = ["project", "source", "sources", "destination", "syncPolicy", "revisionHistoryLimit", "ignoreDifferences", "info", "sourceHydrator"]

  # Git repositories the Applications read; credentials are stored for each when the input is set.
  argocd_repository_urls = distinct([for application in local.argocd_application_manifests : application.spec.source.repoURL])
}

# --- Private Git repository ------------------------------------------------------------------

# Argo CD's declarative repository: a Secret labelled argocd.argoproj.io/secret-type=repository.
resource "kubernetes_secret_v1" "argocd_repository" {
  for_each = local.argocd_repository_credentials_enabled ? toset(local.argocd_repository_urls) : toset([])

  metadata {
    name      = "repository-${substr(sha256(each.value), 0, 12)}"
    namespace = var.argocd_namespace
    labels = {
      "app.kubernetes.io/managed-by"   = "terraform"
      "argocd.argoproj.io/secret-type" = "repository"
    }
  }

  data = {
    type     = "git"
    url      = each.value
    username = var.argocd_repository_credentials.username
    password = var.argocd_repository_credentials.password
  }
}

# --- Argo CD Applications ----------------------------------------------------------------

# A Helm release, not kubernetes_manifest: kubernetes_manifest needs the Application CRD at
# plan time, which a fresh cluster only has after the global module is applied. A Helm
# release plans without the CRD and installs the Applications at apply time.
resource "helm_release" "argocd_apps" {
  name       = "argocd-apps"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argocd-apps"
  version    = var.argocd_apps_chart_version
  namespace  = var.argocd_namespace

  values = [yamlencode(local.argocd_apps_values)]

  lifecycle {
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        manifest.apiVersion == "argoproj.io/v1alpha1" && manifest.kind == "Application"
      ])
      error_message = "Every file in argocd_application_files must hold one argoproj.io/v1alpha1 Application."
    }
    precondition {
      condition     = alltrue([for manifests in values(local.argocd_applications_by_name) : length(manifests) == 1])
      error_message = "Argo CD Application names (metadata.name) must be unique."
    }
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        length(setsubtract(keys(manifest.spec), local.argocd_apps_spec_fields)) == 0
      ])
      error_message = "An Application uses a spec field the argocd-apps chart does not render."
    }
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        contains(values(local.namespaces), manifest.spec.destination.namespace)
      ])
      error_message = "Every Application must deploy into a namespace this module creates."
    }
    precondition {
      condition = alltrue([
        for manifest in local.argocd_application_manifests :
        can(manifest.spec.source.repoURL) && !can(manifest.spec.sources)
      ])
      error_message = "Every Application must have a single spec.source (the Kustomize components and repository credentials are set on it)."
    }
  }

  # The workloads need their namespaces, Secrets and ConfigMap, their AWS identity, and Argo
  # CD its repository credentials, before the first sync.
  depends_on = [
    kubernetes_namespace_v1.this,
    aws_eks_pod_identity_association.service,
    aws_iam_role_policy.service,
    aws_iam_user_policy.service,
    kubernetes_secret_v1.aws_credentials,
    kubernetes_config_map_v1.environment,
    kubernetes_config_map_v1.settings,
    kubernetes_secret_v1.image_pull,
    kubernetes_secret_v1.argocd_repository,
  ]
}
