@command:miner-poll @live-serial
Feature: Polling for work
  `aitbc miner poll` asks for the oldest QUEUED job whose constraints the miner meets
  (FIFO by requested_at); 204 with an empty body when nothing fits or the miner is at its
  concurrency (contract §5). A cancel leaves the miner's slot taken until the miner reports
  itself idle (heartbeat) or registers again (contract §13).

  Background:
    Given I authenticate as "miner"

  Scenario: An idle coordinator answers 204 with an empty body
    Given the miner is registered
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 204
    And the response body is empty
    And the response matches the snapshot "idle"

  Scenario: Jobs are handed out oldest first
    Given a job "A" submitted by the client
    And a job "B" submitted by the client
    And the miner is registered with body:
      """
      {"capabilities": {"gpus": [{"name": "RTX 4090", "memory_mb": 24576}]}, "concurrency": 2, "region": "{tag}"}
      """
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 200
    And the response field "job_id" is "{A}"
    And the response field "payload" is {"type": "inference", "prompt": "hello", "model": "llama3"}
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 200
    And the response field "job_id" is "{B}"

  Scenario: A miner at its concurrency gets 204 until its job ends
    Given a job "A" submitted by the client
    And a job "B" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 204
    And the response body is empty
    Given the miner has failed job "A"
    Then the miner is handed job "B"

  Scenario: A cancelled job is not handed out
    Given a job "A" submitted by the client
    And I authenticate as "client"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    Given the miner is registered
    And I authenticate as "miner"
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 204

  Scenario: After its running job is cancelled, a miner that reports idle gets the next job
    Given a job "A" submitted by the client
    And a job "B" submitted by the client
    And the miner is registered
    And the miner has taken job "A"
    And I authenticate as "client"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 200
    Given the miner reports it is idle
    Then the miner is handed job "B"

  Scenario: A job whose constraints the miner does not meet is skipped
    Given a job "BIG" submitted by the client with body:
      """
      {"payload": {"type": "training"}, "constraints": {"region": "{tag}", "min_vram_gb": 80}}
      """
    And a job "SMALL" submitted by the client with body:
      """
      {"payload": {"type": "inference"}, "constraints": {"region": "{tag}", "min_vram_gb": 16, "models": ["llama3"]}}
      """
    And the miner is registered
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 200
    And the response field "job_id" is "{SMALL}"

  Scenario: The offered constraints spell out every key, null when the job did not give it
    Given a job "A" submitted by the client with body:
      """
      {"payload": {"type": "inference"}, "constraints": {"region": "{tag}", "models": ["llama3"]}}
      """
    And a job "B" submitted by the client
    And the miner is registered with body:
      """
      {"capabilities": {"gpus": [{"name": "RTX 4090", "memory_mb": 24576}], "models": ["llama3"]}, "concurrency": 2, "region": "{tag}"}
      """
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 200
    And the response field "job_id" is "{A}"
    And the response field "constraints" includes {"gpu": null, "cuda": null, "min_vram_gb": null, "models": ["llama3"], "region": "{tag}", "max_price": null}
    And the response matches the snapshot "job-offer"
    When I send POST "/v1/miners/poll" with body:
      """
      {"max_wait_seconds": 0}
      """
    Then the response status is 200
    And the response field "job_id" is "{B}"
    And the response field "constraints" includes {"gpu": null, "cuda": null, "min_vram_gb": null, "models": null, "region": "{tag}", "max_price": null}
