@command:blockchain-head
Feature: Chain head
  `aitbc blockchain head` reads /rpc/head on the node (no auth) (contract §9).

  Scenario: The head has a height, a 0x-prefixed hash and a timestamp
    When I send GET "/rpc/head"
    Then the response status is 200
    And the response field "height" holds a whole number
    And the response field "tx_count" holds a whole number
    And the response field "hash" matches "^0x[0-9a-f]{64}$"
    And the response field "timestamp" matches "^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
    And the response matches the snapshot "head"

  Scenario: The head is the highest block of a chain linked by parent_hash
    When I walk the chain from genesis to the head
    Then the walked blocks are contiguous and linked by parent_hash
    And the genesis block's parent_hash is "0x00"
    And the last walked block is the head
