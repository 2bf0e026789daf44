# How auxiliary-service gets AWS credentials (var.credentials_mode): the specification's IAM
# user with an access key, or a role for EKS Pod Identity or IRSA. Every resource below exists
# in one mode or the other (count), and the one policy template is attached to whichever
# principal exists.

locals {
  use_access_key   = var.credentials_mode == "access_key"
  use_pod_identity = var.credentials_mode == "pod_identity"
  use_irsa         = var.credentials_mode == "irsa"
  keyless          = !local.use_access_key

  service_role_name = "${var.environment_name}-auxiliary-service"
  # The identity the keyless modes bind to (deploy/auxiliary/serviceaccount.yaml).
  service_account_name = "auxiliary-service"

  service_policy = templatefile("${path.module}/policies/service-user.json.tftpl", local.service_user_policy_variables)

  # OIDC issuer of the cluster without https:// (the IRSA condition key prefix); null outside IRSA.
  oidc_provider = one([for cluster in data.aws_eks_cluster.this : trimprefix(cluster.identity[0].oidc[0].issuer, "https://")])

  pod_identity_trust_variables = {
    cluster_name    = var.eks_cluster_name
    namespace       = local.namespaces.auxiliary_service
    service_account = local.service_account_name
  }
  irsa_trust_variables = {
    oidc_provider_arn = one(data.aws_iam_openid_connect_provider.this[*].arn)
    oidc_provider     = local.oidc_provider
    namespace         = local.namespaces.auxiliary_service
    service_account   = local.service_account_name
  }
}

# --- access_key: the IAM service user (specification §5.1) ---------------------------------

resource "aws_iam_user" "service" {
  count = local.use_access_key ? 1 : 0

  name = local.service_user_name
}

resource "aws_iam_user_policy" "service" {
  count = local.use_access_key ? 1 : 0

  name   = "${local.service_user_name}-read"
  user   = aws_iam_user.service[0].name
  policy = local.service_policy
}

# The secret access key is stored in Terraform state: use an encrypted remote backend.
resource "aws_iam_access_key" "service" {
  count = local.use_access_key ? 1 : 0

  user = aws_iam_user.service[0].name
}

resource "aws_ssm_parameter" "service_user_access_key_id" {
  count = local.use_access_key ? 1 : 0

  name        = "${local.service_user_parameter_prefix}/access_key_id"
  description = "Access key id of ${local.service_user_name}."
  type        = "SecureString"
  value       = aws_iam_access_key.service[0].id
}

resource "aws_ssm_parameter" "service_user_secret_access_key" {
  count = local.use_access_key ? 1 : 0

  name        = "${local.service_user_parameter_prefix}/secret_access_key"
  description = "Secret access key of ${local.service_user_name}."
  type        = "SecureString"
  value       = aws_iam_access_key.service[0].secret
}

# --- pod_identity and irsa: a role, no key anywhere ------------------------------------------

data "aws_eks_cluster" "this" {
  count = local.use_irsa ? 1 : 0

  name = var.eks_cluster_name
}

# Fails the plan if the cluster has no IAM OIDC provider (eksctl utils associate-iam-oidc-provider).
data "aws_iam_openid_connect_provider" "this" {
  count = local.use_irsa ? 1 : 0

  url = data.aws_eks_cluster.this[0].identity[0].oidc[0].issuer
}

resource "aws_iam_role" "service" {
  count = local.keyless ? 1 : 0

  name        = local.service_role_name
  description = "auxiliary-service (${var.credentials_mode}): namespace ${local.namespaces.auxiliary_service}, ServiceAccount ${local.service_account_name} only."
  # Only the selected mode's trust policy is rendered (a conditional evaluates one side).
  assume_role_policy = local.use_pod_identity ? templatefile("${path.module}/policies/pod-identity-trust.json.tftpl", local.pod_identity_trust_variables) : templatefile("${path.module}/policies/irsa-trust.json.tftpl", local.irsa_trust_variables)
}

resource "aws_iam_role_policy" "service" {
  count = local.keyless ? 1 : 0

  name   = "${local.service_role_name}-read"
  role   = aws_iam_role.service[0].name
  policy = local.service_policy
}

resource "aws_eks_pod_identity_association" "service" {
  count = local.use_pod_identity ? 1 : 0

  cluster_name    = var.eks_cluster_name
  namespace       = kubernetes_namespace_v1.this["auxiliary_service"].metadata[0].name
  service_account = local.service_account_name
  role_arn        = aws_iam_role.service[0].arn
}
