"""The rules: one small class per code (a libcst visitor with its own VALID/INVALID examples
and documentation), the base class they share (`base`), the shared pieces of the environment
and origin rules, and the catalogue below, in code order. To add a rule, see
docs/architecture.md.

May import: `analysis`, `screens`, `source`, `ftypes`; never the engine or the fixer.
"""

from corptls_lint.rules.client_options import ClientOptionDisabled
from corptls_lint.rules.context_never_verifies import ContextNeverVerifies
from corptls_lint.rules.default_trust_request import DefaultTrustRequest
from corptls_lint.rules.hardcoded_ca_bundle import HardcodedCABundle
from corptls_lint.rules.hardcoded_ca_bundle_env import HardcodedCABundleEnv
from corptls_lint.rules.insecure_warning_suppressed import InsecureWarningSuppressed
from corptls_lint.rules.ssl_wrap_socket import SSLWrapSocket
from corptls_lint.rules.stdlib_client_without_context import StdlibClientWithoutContext
from corptls_lint.rules.trust_env_disabled import TrustEnvDisabled
from corptls_lint.rules.unconfigured_session import UnconfiguredSession
from corptls_lint.rules.unverified_ssl_context import UnverifiedSSLContext
from corptls_lint.rules.verification_disabled_by_environment import \
    VerificationDisabledByEnvironment
from corptls_lint.rules.verify_disabled import VerifyDisabled
from corptls_lint.rules.verify_disabled_attribute import VerifyDisabledAttribute
from corptls_lint.rules.weak_protocol_version import WeakProtocolVersion

ALL_RULES = (
    VerifyDisabled,
    VerifyDisabledAttribute,
    UnverifiedSSLContext,
    VerificationDisabledByEnvironment,
    ClientOptionDisabled,
    StdlibClientWithoutContext,
    ContextNeverVerifies,
    InsecureWarningSuppressed,
    HardcodedCABundle,
    HardcodedCABundleEnv,
    UnconfiguredSession,
    DefaultTrustRequest,
    TrustEnvDisabled,
    WeakProtocolVersion,
    SSLWrapSocket,
)

RULES_BY_CODE = {rule.code: rule for rule in ALL_RULES}
DEFAULT_CODES = tuple(rule.code for rule in ALL_RULES if rule.default_enabled)
