@cli @era:api-key
Feature: The blockchain commands of the user's aitbc CLI, end to end

  @command:blockchain-head
  Scenario: aitbc blockchain head prints the head block
    When I run aitbc "--output json blockchain head --chain-id ait-devnet" as "client"
    Then aitbc sent "GET /rpc/head" and got 200
    And aitbc's output has field "height"

  @command:blockchain-block
  Scenario: aitbc blockchain block finds a block by its height
    When I run aitbc "--output json blockchain block 3" as "client"
    Then aitbc sent "GET /rpc/blocks/{height}" and got 200
    And aitbc's output has field "hash"

  @command:blockchain-blocks
  Scenario: aitbc blockchain blocks lists recent blocks
    When I run aitbc "--output json blockchain blocks --limit 5" as "client"
    Then aitbc sent "GET /rpc/blocks-range" and got 200
