@command:auth-login @era:jwt
Feature: Wallet login and roles (JWT era)
  In the JWT era a client or an admin logs in with a wallet: POST /v1/auth/nonce, an EIP-191
  signature of "Sign this message to log in to AITBC.\nWallet: <address>\nNonce: <nonce>",
  POST /v1/login → a session token sent as `Authorization: Bearer`. Miners keep X-Api-Key.
  Without credentials a route answers 401 "Authentication required"; a bad token 401 "Invalid
  token"; a key that is not a miner's 401 "Invalid API key"; the wrong role 403 "Forbidden";
  paths outside the security matrix are refused the same way (contract §12).

  @wallet-login @read-only
  Scenario: A wallet logs in with a signed nonce and is a client
    When a fresh wallet asks for a login nonce
    Then the response status is 200
    And the response field "nonce" matches "^[A-Za-z0-9_-]{16,}$"
    When the wallet signs the nonce and logs in
    Then the response status is 200
    And the response field "session_token" matches "^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
    And the response field "user_id" matches "."
    Given I authenticate with the session token of that login
    When I send GET "/v1/jobs/00000000000000000000000000000000"
    Then the response status is 404
    And the response field "detail" is "job not found"

  @wallet-login @read-only
  Scenario: A nonce logs in once
    When a fresh wallet asks for a login nonce
    And the wallet signs the nonce and logs in
    Then the response status is 200
    When the wallet signs the nonce and logs in
    Then the response status is 401
    And the response field "detail" is "Invalid or expired nonce"

  @wallet-login @read-only
  Scenario: A signature of another message is refused, and the nonce is spent
    When a fresh wallet asks for a login nonce
    And the wallet logs in with a signature of another message
    Then the response status is 401
    And the response field "detail" is "Invalid wallet signature"
    When the wallet signs the nonce and logs in
    Then the response status is 401
    And the response field "detail" is "Invalid or expired nonce"

  @wallet-login @read-only
  Scenario: A signature by another wallet is refused
    When a fresh wallet asks for a login nonce
    And another wallet signs the nonce and the first one logs in with it
    Then the response status is 401
    And the response field "detail" is "Invalid wallet signature"

  @wallet-login
  Scenario: A malformed address gets no nonce
    When I send POST "/v1/auth/nonce" with body:
      """
      {"wallet_address": "0x1234"}
      """
    Then the response status is 400
    And the response field "detail" is "Invalid wallet address"

  @read-only
  Scenario Outline: A client route refuses <caller>
    Given I authenticate as "<caller>"
    When I send GET "/v1/jobs/0123456789abcdef0123456789abcdef"
    Then the response status is <status>
    And the response body is:
      """
      {"detail": "<detail>"}
      """

    Examples:
      | caller         | status | detail                  |
      | none           | 401    | Authentication required |
      | empty          | 401    | Authentication required |
      | unknown        | 401    | Invalid API key         |
      | bad-token      | 401    | Invalid token           |
      | tampered-token | 401    | Invalid token           |
      | miner          | 403    | Forbidden               |
      | admin          | 403    | Forbidden               |

  @double-only @read-only
  Scenario: An expired token is refused
    Given I authenticate as "expired-token"
    When I send GET "/v1/jobs/0123456789abcdef0123456789abcdef"
    Then the response status is 401
    And the response field "detail" is "Invalid token"

  Scenario Outline: A miner route refuses <caller>
    Given I authenticate as "<caller>"
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {}
      """
    Then the response status is <status>
    And the response field "detail" is "<detail>"

    Examples:
      | caller    | status | detail                  |
      | none      | 401    | Authentication required |
      | unknown   | 401    | Invalid API key         |
      | bad-token | 401    | Invalid token           |
      | client    | 403    | Forbidden               |
      | admin     | 403    | Forbidden               |

  @read-only
  Scenario Outline: An admin route refuses <caller>
    Given I authenticate as "<caller>"
    When I send GET "/v1/admin/stats"
    Then the response status is <status>
    And the response field "detail" is "<detail>"

    Examples:
      | caller    | status | detail                  |
      | none      | 401    | Authentication required |
      | unknown   | 401    | Invalid API key         |
      | bad-token | 401    | Invalid token           |
      | client    | 403    | Forbidden               |
      | miner     | 403    | Forbidden               |

  Scenario: A client's token is accepted on a client route
    Given the client's queued job "A"
    And I authenticate as "client"
    When I send GET "/v1/jobs/{A}"
    Then the credential is accepted

  @read-only
  Scenario: An admin's token is accepted on an admin route
    Given I authenticate as "admin"
    When I send GET "/v1/admin/stats"
    Then the credential is accepted

  @live-serial
  Scenario: A miner key is still accepted on a miner route
    Given I authenticate as "miner"
    When I send POST "/v1/miners/heartbeat" with body:
      """
      {}
      """
    Then the credential is accepted

  @read-only
  Scenario Outline: An unknown route is refused for <caller>, not 404
    Given I authenticate as "<caller>"
    When I send GET "/v1/no-such-route"
    Then the response status is <status>

    Examples:
      | caller | status |
      | none   | 401    |
      | client | 403    |

  Scenario: A job is invisible to another client
    Given the client's queued job "A"
    And I authenticate as "other-client"
    When I send GET "/v1/jobs/{A}"
    Then the response status is 404
    And the response field "detail" is "job not found"

  Scenario: Another client cannot cancel someone else's job
    Given a job "A" submitted by the client
    And I authenticate as "other-client"
    When I send POST "/v1/jobs/{A}/cancel"
    Then the response status is 404
    And the response field "detail" is "job not found"
