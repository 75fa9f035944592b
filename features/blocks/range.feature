@command:blockchain-blocks
Feature: A range of blocks
  `aitbc blockchain blocks` reads /rpc/blocks-range?start=&end=: ascending, inclusive, at
  most 1000 blocks (contract §9).

  Scenario: A range is ascending, inclusive and linked
    When I send GET "/rpc/blocks-range?start=2&end=7"
    Then the response status is 200
    And the response field "count" is 6
    And the response field "start" is 2
    And the response field "end" is 7
    And the response field "blocks" has 6 items
    And the blocks in "blocks" are contiguous from height 2 and linked by parent_hash
    And the response matches the snapshot "range"

  Scenario: The range needs start and end
    When I send GET "/rpc/blocks-range?start=1"
    Then the response status is 422
    And the response field "detail.0.loc" is ["query", "end"]
    And the response matches the snapshot "range-needs-end"

  Scenario Outline: <case> is a bad request
    When I send GET "/rpc/blocks-range?start=<start>&end=<end>"
    Then the response status is 400

    Examples:
      | case                   | start | end  |
      | A negative start       | -1    | 3    |
      | An end before start    | 5     | 2    |
      | A span over 1000       | 0     | 1001 |

  Scenario: The genesis block's parent is 0x00
    When I send GET "/rpc/blocks-range?start=0&end=0"
    Then the response status is 200
    And the response field "blocks.0.parent_hash" is "0x00"
    And the response matches the snapshot "genesis"
