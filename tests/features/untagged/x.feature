Feature: A scenario without a command tag

  Scenario: forgot the tag
    When I send GET "/rpc/head"
