# Run in the `default` workspace (the file name is the workspace; scripts/terraform-test.sh).
# Mock providers: no cloud, no cluster.

mock_provider "aws" {}
mock_provider "kubernetes" {
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

# The specification's guard: nothing is planned in `default` (its message, "Select workspace
# please. terraform workspace select ***", is checked offline by test/terraform/hcl.test.ts).
run "refuses_the_default_workspace" {
  command = plan

  expect_failures = [terraform_data.workspace_guard]
}
