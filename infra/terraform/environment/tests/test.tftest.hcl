# Run in the `test` workspace (the file name is the workspace; scripts/terraform-test.sh): the
# names the specification gives for `test`, from the root module's outputs. Mock providers: no
# cloud, no cluster; test.apps.tftest.hcl looks inside the apps module.

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
}
mock_provider "kubernetes" {
  # A fresh cluster: neither platform namespace exists yet.
  mock_data "kubernetes_resources" {
    defaults = {
      objects = []
    }
  }
}
mock_provider "helm" {}

variables {
  kubeconfig_context = "kind-e2e"
}

run "names_follow_the_workspace" {
  command = plan

  assert {
    condition     = output.environment_name == "test"
    error_message = "Run this file in the test workspace (TF_WORKSPACE=test)."
  }
  assert {
    condition     = jsonencode(output.bucket_names) == jsonencode({ "apps-main" = "test-apps-main", "apps-secondary" = "test-apps-secondary" })
    error_message = "Buckets are <env>-apps-main and <env>-apps-secondary (specification 8.4)."
  }
  assert {
    condition     = jsonencode(output.parameter_names) == jsonencode(["/test/apps/config/env_name", "/test/apps/config/hotel", "/test/apps/config/locale"])
    error_message = "Configuration parameters live under /<env>/apps/."
  }
  assert {
    condition     = jsonencode(output.namespaces) == jsonencode(["auxiliary-service", "main-api"])
    error_message = "Terraform creates the two service namespaces."
  }
  assert {
    condition     = output.credentials_mode == "access_key" && output.service_user_name == "test-app-service-user"
    error_message = "The default mode is the specification's IAM user <env>-app-service-user."
  }
  assert {
    condition     = jsonencode(output.service_user_key_parameter_names) == jsonencode(["/test/service_user/access_key_id", "/test/service_user/secret_access_key"])
    error_message = "The service user's key is kept under /<env>/service_user/."
  }
  assert {
    condition     = jsonencode(output.argocd_applications) == jsonencode(["auxiliary-service", "main-api"])
    error_message = "Both Applications of infra/argocd/ are installed."
  }
}

run "prefixes_bucket_names" {
  command = plan

  variables {
    bucket_name_prefix = "acme-"
  }

  assert {
    condition     = jsonencode(output.bucket_names) == jsonencode({ "apps-main" = "acme-test-apps-main", "apps-secondary" = "acme-test-apps-secondary" })
    error_message = "bucket_name_prefix goes in front of every bucket name."
  }
}

run "applies_again_over_its_own_namespaces" {
  command = plan

  override_data {
    target = data.kubernetes_resources.platform_namespaces
    values = {
      objects = [{ metadata = { name = "main-api", labels = { "aws-k8s-platform/environment" = "test" } } }]
    }
  }

  assert {
    condition     = output.environment_name == "test"
    error_message = "Namespaces labelled with this environment are its own: a second apply plans."
  }
}

run "refuses_a_second_environment_in_the_cluster" {
  command = plan

  override_data {
    target = data.kubernetes_resources.platform_namespaces
    values = {
      objects = [{ metadata = { name = "main-api", labels = { "aws-k8s-platform/environment" = "prod" } } }]
    }
  }

  expect_failures = [terraform_data.cluster_guard]
}

# A reserved name passes the apps module's own check (it is a variable name), so only the root
# module's validation can refuse it. (A run whose input also fails a check inside a child
# module, or breaks a resource, cannot be expected to fail cleanly: keep those offline.)
run "refuses_settings_that_terraform_or_the_deployment_set" {
  command = plan

  variables {
    auxiliary_service_settings = { AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE" }
  }

  expect_failures = [var.auxiliary_service_settings]
}
