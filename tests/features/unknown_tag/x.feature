Feature: A tag naming no command

  @command:blockchain-head
  Scenario: known
    When I send GET "/rpc/head"

  @command:client-teleport
  Scenario: unknown
    When I send GET "/rpc/head"
