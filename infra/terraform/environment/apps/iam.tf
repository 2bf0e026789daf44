# --- IAM service user -------------------------------------------------------------------

resource "aws_iam_user" "service" {
  name = local.service_user_name
}

resource "aws_iam_user_policy" "service" {
  name   = "${local.service_user_name}-read"
  user   = aws_iam_user.service.name
  policy = templatefile("${path.module}/policies/service-user.json.tftpl", local.service_user_policy_variables)
}

# The secret access key is stored in Terraform state: use an encrypted remote backend.
resource "aws_iam_access_key" "service" {
  user = aws_iam_user.service.name
}

resource "aws_ssm_parameter" "service_user_access_key_id" {
  name        = "${local.service_user_parameter_prefix}/access_key_id"
  description = "Access key id of ${local.service_user_name}."
  type        = "SecureString"
  value       = aws_iam_access_key.service.id
}

resource "aws_ssm_parameter" "service_user_secret_access_key" {
  name        = "${local.service_user_parameter_prefix}/secret_access_key"
  description = "Secret access key of ${local.service_user_name}."
  type        = "SecureString"
  value       = aws_iam_access_key.service.secret
}
