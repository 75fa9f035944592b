@command:blockchain-blocks
Feature: A range of blocks
  `aitbc blockchain blocks` reads /rpc/blocks-range?start=&end=: ascending, inclusive (contract
  §9). The API-key-era node requires both bounds, refuses a negative start, an end before the
  start and a span over 1000 blocks, and echoes the bounds; the JWT-era node defaults the bounds
  to 0 and start + 10, answers an end before the start with an empty range and says `success`
  instead of echoing them (recorded from it, `shared/real/`).

  @read-only
  Scenario: A range is ascending, inclusive and linked
    When I send GET "/rpc/blocks-range?start=2&end=7"
    Then the response status is 200
    And the response field "count" is 6
    And the response field "blocks" has 6 items
    And the blocks in "blocks" are contiguous from height 2 and linked by parent_hash
    And the response matches the snapshot "range"

  @era:api-key @read-only
  Scenario: The range echoes its bounds
    When I send GET "/rpc/blocks-range?start=2&end=7"
    Then the response status is 200
    And the response field "start" is 2
    And the response field "end" is 7

  @era:api-key @read-only
  Scenario: The range needs start and end
    When I send GET "/rpc/blocks-range?start=1"
    Then the response status is 422
    And the response field "detail.0.loc" is ["query", "end"]
    And the response matches the snapshot "range-needs-end"

  @era:api-key @read-only
  Scenario Outline: <case> is a bad request
    When I send GET "/rpc/blocks-range?start=<start>&end=<end>"
    Then the response status is 400

    Examples:
      | case                   | start | end  |
      | A negative start       | -1    | 3    |
      | An end before start    | 5     | 2    |
      | A span over 1000       | 0     | 1001 |

  @era:jwt @read-only
  Scenario: Without bounds the range is the first eleven blocks
    When I send GET "/rpc/blocks-range"
    Then the response status is 200
    And the response field "success" is true
    And the response field "count" is 11
    And the blocks in "blocks" are contiguous from height 0 and linked by parent_hash

  @era:jwt @read-only
  Scenario: An end before the start is an empty range
    When I send GET "/rpc/blocks-range?start=5&end=2"
    Then the response status is 200
    And the response field "blocks" has 0 items

  @read-only
  Scenario: The genesis block's parent is 0x00
    When I send GET "/rpc/blocks-range?start=0&end=0"
    Then the response status is 200
    And the response field "blocks.0.parent_hash" is "0x00"
    And the response matches the snapshot "genesis"
