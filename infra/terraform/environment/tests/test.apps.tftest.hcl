# The apps module on its own, for what the root module's outputs do not show: the Secret and
# ConfigMaps, the rendered policy, the trust policies and the Applications handed to the
# argocd-apps chart, in each credentials mode. Applied against mock providers (no cloud, no
# cluster), so computed values such as the access key exist. Runs in the `test` workspace.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }
  mock_data "aws_eks_cluster" {
    defaults = {
      identity = [{ oidc = [{ issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" }] }]
    }
  }
  mock_data "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/test-auxiliary-service"
    }
  }
}
mock_provider "kubernetes" {}
mock_provider "helm" {}

variables {
  environment_name         = "test"
  environment_label        = "aws-k8s-platform/environment"
  aws_region               = "eu-west-1"
  service_user_bucket_name = "test-apps-main"
  # Relative to infra/terraform/environment, where `terraform test` runs.
  argocd_application_files = ["../../argocd/main.yaml", "../../argocd/auxiliary.yaml"]
}

run "access_key_mode" {
  module {
    source = "./apps"
  }

  assert {
    condition     = aws_iam_user.service[0].name == "test-app-service-user" && length(aws_iam_role.service) == 0
    error_message = "access_key: the IAM user <env>-app-service-user, no role."
  }
  assert {
    condition = (
      aws_ssm_parameter.service_user_access_key_id[0].name == "/test/service_user/access_key_id" &&
      aws_ssm_parameter.service_user_access_key_id[0].type == "SecureString" &&
      aws_ssm_parameter.service_user_secret_access_key[0].name == "/test/service_user/secret_access_key" &&
      aws_ssm_parameter.service_user_secret_access_key[0].type == "SecureString"
    )
    error_message = "The access key id and secret are SecureString parameters under /<env>/service_user/."
  }
  assert {
    condition     = nonsensitive(aws_ssm_parameter.service_user_secret_access_key[0].value == aws_iam_access_key.service[0].secret)
    error_message = "The stored secret is the user's access key secret."
  }
  assert {
    condition = (
      kubernetes_secret_v1.aws_credentials.metadata[0].name == "auxiliary-service-aws-credentials" &&
      kubernetes_secret_v1.aws_credentials.metadata[0].namespace == "auxiliary-service" &&
      jsonencode(sort(keys(nonsensitive(kubernetes_secret_v1.aws_credentials.data)))) == jsonencode(["AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_SECRET_ACCESS_KEY"])
    )
    error_message = "The Secret auxiliary-service-aws-credentials holds the key and the region (specification 4.2)."
  }
  assert {
    condition = nonsensitive(
      kubernetes_secret_v1.aws_credentials.data["AWS_ACCESS_KEY_ID"] == aws_iam_access_key.service[0].id &&
      kubernetes_secret_v1.aws_credentials.data["AWS_REGION"] == "eu-west-1"
    )
    error_message = "The Secret carries the service user's key id and the region."
  }
  assert {
    condition     = kubernetes_config_map_v1.environment.metadata[0].name == "auxiliary-service-environment" && jsonencode(kubernetes_config_map_v1.environment.data) == jsonencode({ ENVIRONMENT_NAME = "test" })
    error_message = "The ConfigMap auxiliary-service-environment holds ENVIRONMENT_NAME, the workspace."
  }
  assert {
    condition     = kubernetes_config_map_v1.settings.metadata[0].name == "auxiliary-service-settings" && length(kubernetes_config_map_v1.settings.data) == 0
    error_message = "The settings ConfigMap exists and is empty by default."
  }
  assert {
    condition = alltrue([
      for namespace in kubernetes_namespace_v1.this :
      namespace.metadata[0].labels["pod-security.kubernetes.io/enforce"] == "restricted" && namespace.metadata[0].labels["aws-k8s-platform/environment"] == "test"
    ])
    error_message = "Both namespaces enforce restricted and carry the environment label the cluster guard reads."
  }

  # The rendered least-privilege policy, statement by statement (specification 5.2).
  assert {
    condition     = jsonencode(sort([for statement in jsondecode(aws_iam_user_policy.service[0].policy).Statement : statement.Sid])) == jsonencode(["DecryptThroughSsmOnly", "DenyServiceUserParameters", "DescribeAllParameters", "ListAllBuckets", "ListAppsBucket", "ReadAppsBucketObjects", "ReadAppsParameters"])
    error_message = "The policy has exactly the expected statements."
  }
  assert {
    condition = (
      { for s in jsondecode(aws_iam_user_policy.service[0].policy).Statement : s.Sid => s }["ReadAppsParameters"].Resource == "arn:aws:ssm:eu-west-1:123456789012:parameter/test/apps/*" &&
      { for s in jsondecode(aws_iam_user_policy.service[0].policy).Statement : s.Sid => s }["ListAppsBucket"].Resource == "arn:aws:s3:::test-apps-main" &&
      { for s in jsondecode(aws_iam_user_policy.service[0].policy).Statement : s.Sid => s }["ReadAppsBucketObjects"].Resource == "arn:aws:s3:::test-apps-main/*"
    )
    error_message = "Reads are scoped to /<env>/apps/* and the <env>-apps-main bucket."
  }
  assert {
    condition = (
      { for s in jsondecode(aws_iam_user_policy.service[0].policy).Statement : s.Sid => s }["DenyServiceUserParameters"].Effect == "Deny" &&
      contains({ for s in jsondecode(aws_iam_user_policy.service[0].policy).Statement : s.Sid => s }["DenyServiceUserParameters"].Resource, "arn:aws:ssm:eu-west-1:123456789012:parameter/test/service_user/*") &&
      { for s in jsondecode(aws_iam_user_policy.service[0].policy).Statement : s.Sid => s }["DecryptThroughSsmOnly"].Condition.StringEquals["kms:ViaService"] == "ssm.eu-west-1.amazonaws.com"
    )
    error_message = "The service user's own key parameters are denied; KMS decrypts only through SSM."
  }

  # The Applications handed to the argocd-apps chart.
  assert {
    condition     = helm_release.argocd_apps.chart == "argocd-apps" && helm_release.argocd_apps.namespace == "argocd"
    error_message = "The Applications are installed by the argocd-apps chart into Argo CD's namespace."
  }
  assert {
    condition     = jsonencode(sort(keys(yamldecode(helm_release.argocd_apps.values[0]).applications))) == jsonencode(["auxiliary-service", "main-api"])
    error_message = "Both Applications are passed to the chart."
  }
  assert {
    condition = alltrue([
      for name, application in yamldecode(helm_release.argocd_apps.values[0]).applications :
      application.namespace == "argocd" &&
      application.source.repoURL == yamldecode(file(name == "main-api" ? "../../argocd/main.yaml" : "../../argocd/auxiliary.yaml")).spec.source.repoURL &&
      application.source.path == (name == "main-api" ? "deploy/main" : "deploy/auxiliary") &&
      application.destination.namespace == name &&
      application.syncPolicy.automated.prune && application.syncPolicy.automated.selfHeal &&
      !can(application.source.kustomize)
    ])
    error_message = "Each Application keeps its repository, path, destination and automated sync, with no Kustomize options in the default mode."
  }
}

run "settings_reach_the_settings_configmap" {
  module {
    source = "./apps"
  }

  variables {
    auxiliary_service_settings = { AWS_ENDPOINT_URL = "https://aws.example.internal" }
  }

  assert {
    condition     = jsonencode(kubernetes_config_map_v1.settings.data) == jsonencode({ AWS_ENDPOINT_URL = "https://aws.example.internal" })
    error_message = "auxiliary_service_settings is written to auxiliary-service-settings as is."
  }
  assert {
    condition     = jsonencode(kubernetes_config_map_v1.environment.data) == jsonencode({ ENVIRONMENT_NAME = "test" })
    error_message = "The environment ConfigMap is unchanged by settings."
  }
}

run "pod_identity_mode" {
  module {
    source = "./apps"
  }

  variables {
    credentials_mode = "pod_identity"
    eks_cluster_name = "e2e"
  }

  assert {
    condition     = length(aws_iam_user.service) == 0 && length(aws_iam_access_key.service) == 0 && length(aws_ssm_parameter.service_user_secret_access_key) == 0
    error_message = "pod_identity: no IAM user, no key, no key parameters."
  }
  assert {
    condition = (
      aws_iam_role.service[0].name == "test-auxiliary-service" &&
      jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Principal.Service == "pods.eks.amazonaws.com" &&
      aws_eks_pod_identity_association.service[0].cluster_name == "e2e" &&
      aws_eks_pod_identity_association.service[0].namespace == "auxiliary-service" &&
      aws_eks_pod_identity_association.service[0].service_account == "auxiliary-service"
    )
    error_message = "pod_identity: a role trusted by EKS Pod Identity, associated with auxiliary-service's ServiceAccount."
  }
  assert {
    condition     = jsonencode(sort(keys(nonsensitive(kubernetes_secret_v1.aws_credentials.data)))) == jsonencode(["AWS_REGION"])
    error_message = "pod_identity: the Secret holds the region only."
  }
  assert {
    condition     = jsonencode(sort([for statement in jsondecode(aws_iam_role_policy.service[0].policy).Statement : statement.Sid])) == jsonencode(["DecryptThroughSsmOnly", "DenyServiceUserParameters", "DescribeAllParameters", "ListAllBuckets", "ListAppsBucket", "ReadAppsBucketObjects", "ReadAppsParameters"])
    error_message = "pod_identity: the role gets the same policy as the user would."
  }
  assert {
    condition = (
      jsonencode(yamldecode(helm_release.argocd_apps.values[0]).applications["auxiliary-service"].source.kustomize.components) == jsonencode(["../components/keyless", "../components/pod-identity-agent"]) &&
      !can(yamldecode(helm_release.argocd_apps.values[0]).applications["main-api"].source.kustomize)
    )
    error_message = "pod_identity: auxiliary-service gets the keyless and pod-identity-agent components, main-api nothing."
  }
}

run "irsa_mode" {
  module {
    source = "./apps"
  }

  variables {
    credentials_mode = "irsa"
    eks_cluster_name = "e2e"
  }

  assert {
    condition     = length(aws_iam_user.service) == 0 && length(aws_eks_pod_identity_association.service) == 0
    error_message = "irsa: no IAM user, no Pod Identity association."
  }
  assert {
    condition = (
      jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" &&
      jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub"] == "system:serviceaccount:auxiliary-service:auxiliary-service"
    )
    error_message = "irsa: the role trusts the cluster's OIDC provider for auxiliary-service's ServiceAccount only."
  }
  assert {
    condition = (
      jsonencode(yamldecode(helm_release.argocd_apps.values[0]).applications["auxiliary-service"].source.kustomize.components) == jsonencode(["../components/keyless"]) &&
      yamldecode(helm_release.argocd_apps.values[0]).applications["auxiliary-service"].source.kustomize.patches[0].target.kind == "ServiceAccount" &&
      strcontains(yamldecode(helm_release.argocd_apps.values[0]).applications["auxiliary-service"].source.kustomize.patches[0].patch, aws_iam_role.service[0].arn)
    )
    error_message = "irsa: the keyless component and a patch that annotates the ServiceAccount with the role ARN."
  }
}

run "private_images_and_repository" {
  module {
    source = "./apps"
  }

  variables {
    image_pull_secret             = { registry = "ghcr.io", username = "bot", password = "token" }
    argocd_repository_credentials = { username = "x-access-token", password = "token" }
  }

  assert {
    condition = alltrue([
      for name, application in yamldecode(helm_release.argocd_apps.values[0]).applications :
      contains(application.source.kustomize.components, "../components/image-pull-secret")
    ])
    error_message = "A pull secret turns on the image-pull-secret component in both Applications."
  }
  assert {
    condition     = length(kubernetes_secret_v1.image_pull) == 2 && alltrue([for secret in kubernetes_secret_v1.image_pull : secret.type == "kubernetes.io/dockerconfigjson"])
    error_message = "The registry Secret exists in both namespaces."
  }
  assert {
    condition = (
      length(kubernetes_secret_v1.argocd_repository) == 1 &&
      nonsensitive(one(values(kubernetes_secret_v1.argocd_repository)).data["url"]) == yamldecode(file("../../argocd/main.yaml")).spec.source.repoURL &&
      one(values(kubernetes_secret_v1.argocd_repository)).metadata[0].labels["argocd.argoproj.io/secret-type"] == "repository"
    )
    error_message = "One Argo CD repository Secret for the Applications' repository."
  }
}
