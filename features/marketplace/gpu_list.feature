@command:marketplace-gpu-list
Feature: Listing GPUs on the marketplace
  `aitbc marketplace gpu list` reads /v1/marketplace/gpu/list (no auth): a bare JSON array,
  filtered by availability, price, region and model, at most `limit` (1..500) items
  (contract §8). Registering needs no credential in the API-key era and a miner's key in the
  JWT era, where prices are decimal strings (contract §12, §13); the miner's key serves both.

  Background:
    Given I authenticate as "none"

  Scenario: The list is a bare array of offers
    Given I authenticate as "miner"
    When I send POST "/v1/marketplace/gpu/register" with body:
      """
      {"gpu": {"name": "Conformance {tag}", "memory": 16, "cuda_version": "12.2", "region": "eu-west",
               "price_per_hour": 0.25, "capabilities": ["inference"], "miner_id": "conformance-miner"}}
      """
    Then the response status is 200
    Given I authenticate as "none"
    When I send GET "/v1/marketplace/gpu/list"
    Then the response status is 200
    And the response field "0.id" matches "^gpu_[0-9a-f]{8}$"
    And the response field "0.status" matches "^(available|booked)$"
    And the response field "0.average_rating" is 0.0
    And the response field "0.created_at" matches "Z$"

  @read-only
  Scenario: Only available offers when asked
    When I send GET "/v1/marketplace/gpu/list?available=true"
    Then the response status is 200
    And each item of "" has "status" equal to "available"

  @read-only
  Scenario: Offers at or under a price
    When I send GET "/v1/marketplace/gpu/list?price_max=1.0"
    Then the response status is 200
    And each item of "" has "price_per_hour" at most 1.0

  @read-only
  Scenario: Offers in one region
    When I send GET "/v1/marketplace/gpu/list?region=us-east"
    Then the response status is 200
    And each item of "" has "region" equal to "us-east"

  @read-only
  Scenario: The limit caps the list
    When I send GET "/v1/marketplace/gpu/list?limit=2"
    Then the response status is 200
    And the response field "" holds at most 2 items

  @read-only
  Scenario Outline: A limit of <limit> is out of bounds
    When I send GET "/v1/marketplace/gpu/list?limit=<limit>"
    Then the response status is 422
    And the response field "error.code" is "VALIDATION_ERROR"
    And the response field "error.details.0.field" is "query.limit"
    And the response matches the snapshot "limit-<limit>"

    Examples:
      | limit |
      | 0     |
      | 501   |

  Scenario: A registered GPU is listed by its model
    Given I authenticate as "miner"
    When I send POST "/v1/marketplace/gpu/register" with body:
      """
      {"gpu": {"name": "Conformance {tag}", "memory": 16, "cuda_version": "12.2", "region": "eu-west",
               "price_per_hour": 0.25, "capabilities": ["inference"], "miner_id": "conformance-miner"}}
      """
    Then the response status is 200
    And the response field "status" is "registered"
    And I save the response field "gpu_id" as "G"
    Given I authenticate as "none"
    When I send GET "/v1/marketplace/gpu/list?model=Conformance%20{tag}"
    Then the response status is 200
    And the response field "" has 1 item
    And the response field "0.id" is "{G}"
    And the response field "0.status" is "available"
    And the listed GPU "0" keeps its registered region "eu-west"
    And the listed GPU "0" keeps its registered capabilities ["inference"]
    And the response matches the snapshot "registered-gpu"
