@command:client-submit
Feature: A docstring with a media type
  Standard Gherkin allows """json; the body sent is the content, not "json …".

  Scenario: A job body given as a json docstring
    Given I authenticate as "client"
    When I send POST "/v1/jobs" with body:
      """json
      {"payload": {"type": "inference", "prompt": "hi"}}
      """
    Then the response status is 201
