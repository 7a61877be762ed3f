#!/usr/bin/env python3
"""Generate one wide Terraform configuration, for benchmarks of a single large root.

usage: gen_wide.py OUT_DIR ACCOUNTS
One main.tf with ACCOUNTS accounts and deployments made by for_each over a locals map (each
deployment reads its account as azurerm_cognitive_account.this[each.key]) and as many again
written out one by one: the shape where a pass over every resource for every resource would
show as a curve that bends upward.
"""
import os, sys

REGIONS = ["eastus", "eastus2", "westus", "swedencentral", "westeurope", "francecentral",
           "japaneast", "uksouth"]

def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    parts = ["locals {\n  accounts = {\n"]
    for i in range(n):
        parts.append(f'    a{i} = {{ location = "{REGIONS[i % 8]}", model = "gpt-4o", version = "2024-11-20" }}\n')
    parts.append("  }\n}\n")
    parts.append('''resource "azurerm_cognitive_account" "this" {
  for_each            = local.accounts
  name                = each.key
  location            = each.value.location
  resource_group_name = "rg"
  kind                = "OpenAI"
  sku_name            = "S0"
}

resource "azurerm_cognitive_deployment" "this" {
  for_each             = local.accounts
  name                 = each.key
  cognitive_account_id = azurerm_cognitive_account.this[each.key].id

  model {
    format  = "OpenAI"
    name    = each.value.model
    version = each.value.version
  }

  sku {
    name     = "Standard"
    capacity = 10
  }
}
''')
    for i in range(n):
        parts.append(f'''
resource "azurerm_cognitive_account" "s{i}" {{
  name                = "s{i}"
  location            = "{REGIONS[i % 8]}"
  resource_group_name = "rg"
  kind                = "OpenAI"
  sku_name            = "S0"
}}

resource "azurerm_cognitive_deployment" "s{i}" {{
  name                 = "s{i}"
  cognitive_account_id = azurerm_cognitive_account.s{i}.id

  model {{
    format  = "OpenAI"
    name    = "gpt-4o"
    version = "2024-11-20"
  }}

  sku {{
    name     = "Standard"
    capacity = 10
  }}
}}
''')
    with open(os.path.join(out, "main.tf"), "w") as f:
        f.write("".join(parts))

if __name__ == "__main__":
    main()
