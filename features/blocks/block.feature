@command:blockchain-block
Feature: Finding one block
  `aitbc blockchain block <id>` tries /rpc/blocks/by_hash/{id}; otherwise, for an integer id,
  /rpc/blocks/{id}; otherwise it reads the head and scans the last 11 blocks for the hash
  (contract §9). The command must keep working on a node without by_hash.

  @read-only
  Scenario: A block by height links to its parent
    Given I note the hash of block 4 as "H4"
    When I send GET "/rpc/blocks/5"
    Then the response status is 200
    And the response field "height" is 5
    And the response field "parent_hash" is "{H4}"
    And the response field "state_root" matches "^0x[0-9a-f]+$" or is null
    And the response matches the snapshot "block"

  @read-only
  Scenario: A height that is not an integer is 422
    When I send GET "/rpc/blocks/five"
    Then the response status is 422
    And the response field "detail.0.type" is "int_parsing"
    And the response matches the snapshot "height-not-an-integer"

  @read-only
  Scenario: A height beyond the head is 404
    When I send GET "/rpc/blocks/999999"
    Then the response status is 404
    And the response body is:
      """
      {"detail": "block not found"}
      """
    And the response matches the snapshot "block-not-found"

  @direct @read-only
  Scenario: A block by hash is the same block as by height
    Given I note the hash of block 7 as "H7"
    When I send GET "/rpc/blocks/by_hash/{H7}"
    Then the response status is 200
    And the response field "height" is 7
    And the response field "hash" is "{H7}"
    And the response matches the snapshot "block-by-hash"

  @direct @read-only
  Scenario: An unknown hash is 404
    When I send GET "/rpc/blocks/by_hash/0x0000000000000000000000000000000000000000000000000000000000000000"
    Then the response status is 404
    And the response field "detail" is "block not found"
    And the response matches the snapshot "block-not-found"

  @direct @read-only
  Scenario: The CLI finds a block by hash in one request
    Given I note the hash of block 3 as "H3"
    When I look up block "{H3}" the way the CLI does
    Then the lookup found the block at height 3
    And the lookup went through "by_hash"
    And the lookup made 1 request

  @read-only
  Scenario: The CLI finds a block by numeric id through the height route
    When I look up block "6" the way the CLI does
    Then the lookup found the block at height 6
    And the lookup went through "by height"
    And the lookup made 2 requests

  @read-only
  Scenario: The CLI finds a recent block by its hash, with or without by_hash
    Given I note the head as "HEAD"
    When I look up block "{HEAD}" the way the CLI does
    Then the lookup found the block at height {HEAD_height}

  @read-only
  Scenario: The CLI reports an unknown hash as not found
    When I look up block "0xdeadbeef" the way the CLI does
    Then the lookup reports "Block not found"

  @double-only @read-only
  Scenario: Without by_hash the CLI still finds a recent block by scanning from the head
    Given the node does not serve "blocks.by_hash"
    And I note the head as "HEAD"
    When I look up block "{HEAD}" the way the CLI does
    Then the lookup found the block at height {HEAD_height}
    And the lookup went through "head scan"

  @double-only @read-only
  Scenario: Without by_hash a numeric id still works
    Given the node does not serve "blocks.by_hash"
    When I look up block "2" the way the CLI does
    Then the lookup found the block at height 2
    And the lookup went through "by height"

  @double-only @read-only
  Scenario: Without by_hash a block older than the last 11 is not found by hash
    Given the node does not serve "blocks.by_hash"
    And I note the hash of block 0 as "GENESIS"
    When I look up block "{GENESIS}" the way the CLI does
    Then the lookup reports "Block not found"
