Feature: A scenario tagged read-only that writes

  @command:client-submit @read-only
  Scenario: Submits although tagged read-only
    Given I authenticate as "client"
    When I send POST "/v1/jobs" with body:
      """
      {"payload": {"prompt": "hi"}}
      """
    Then the response status is 201
