@command:blockchain-head @command:chain-sync-status
Feature: Chain head
  `aitbc blockchain head --chain-id C` reads /rpc/head?chain_id=C on the node (no auth)
  (contract §9, §13). The chain checks read a bounded window at genesis and at the head, so a
  run costs the same on a chain of a million blocks. Today's CLI reads the head with
  `aitbc chain sync-status`: the node's chains from /rpc/network-info, then each chain's head.

  @era:jwt @read-only
  Scenario: The node names its chains, and each chain has a head
    When I send GET "/rpc/network-info"
    Then the response status is 200
    And the response field "chain_id" matches "."
    And I save the response field "supported_chains.0" as "C"
    When I send GET "/rpc/head?chain_id={C}"
    Then the response status is 200
    And the response field "height" holds a whole number

  @read-only
  Scenario: The head has a height, a 0x-prefixed hash and a timestamp
    When I send GET "/rpc/head"
    Then the response status is 200
    And the response field "height" holds a whole number
    And the response field "tx_count" holds a whole number
    And the response field "hash" matches "^0x[0-9a-f]{64}$"
    And the response field "timestamp" matches "^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
    And the response matches the snapshot "head"

  @read-only
  Scenario: The head is the highest block of a chain linked by parent_hash
    When I walk the first 5 and the last 5 blocks of the chain
    Then the walked blocks are contiguous and linked by parent_hash
    And the genesis block's parent_hash is "0x00"
    And the last walked block is the head

  @read-only
  Scenario: A chain the node does not serve has no head
    When I send GET "/rpc/head?chain_id=no-such-chain"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "no blocks yet"}
      """
