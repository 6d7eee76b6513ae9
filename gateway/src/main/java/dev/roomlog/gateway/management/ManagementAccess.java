package dev.roomlog.gateway.management;

import dev.roomlog.protocol.AdminKeyCheck;
import java.util.List;
import java.util.function.Function;

/**
 * Who may call the management API: a request with the admin key ({@code x-admin-key} or {@code
 * Authorization: Bearer}, {@link AdminKeyCheck}), or a request signed with AWS Signature Version 4
 * by a configured access key ({@link AwsSignatureCheck}). A request whose {@code Authorization} is
 * {@code AWS4-HMAC-SHA256 ...} is judged by its signature alone; with {@code x-admin-key} too it is
 * refused as ambiguous, so no request is let in by one and judged by the other. Pure; immutable.
 */
final class ManagementAccess {
  private final AdminKeyCheck adminKey;
  private final AwsSignatureCheck signatures;

  /**
   * @param signatures null when the node has no access keys: every signed request is refused
   */
  ManagementAccess(AdminKeyCheck adminKey, AwsSignatureCheck signatures) {
    this.adminKey = adminKey;
    this.signatures = signatures;
  }

  ManagementAccess withSignatures(AwsSignatureCheck newSignatures) {
    return new ManagementAccess(adminKey, newSignatures);
  }

  /**
   * Does the request offer a SigV4 signature (valid or not)? Its answers take API Gateway's shapes.
   */
  static boolean signed(Function<String, List<String>> headers) {
    return AwsSignatureCheck.offered(headers.apply("authorization"));
  }

  /** What the head alone is refused for; null when the body may be read. */
  ApiAnswer head(Function<String, List<String>> headers) {
    if (!signed(headers)) {
      AdminKeyCheck.Refusal refused =
          adminKey.refusal(headers.apply("x-admin-key"), headers.apply("authorization"));
      return refused == null
          ? null
          : ApiAnswer.error(refused.status(), refused.code(), refused.message());
    }
    List<String> adminKeys = headers.apply("x-admin-key");
    if (adminKeys != null && !adminKeys.isEmpty()) {
      return ApiAnswer.error(
          400,
          "ambiguousAdminKey",
          "both an AWS signature and x-admin-key were sent: send one of them");
    }
    if (signatures == null) {
      return ApiAnswer.error(
          403,
          "forbidden",
          "this node accepts no AWS signatures: set --aws-access-keys (ROOMLOG_AWS_ACCESS_KEYS)"
              + " to use the AWS SDKs with the management API");
    }
    return refusal(signatures.head(headers));
  }

  /**
   * For a signed request whose head passed: the signature over the whole request, its body read;
   * null when it holds. A request with the admin key has nothing left to check.
   */
  ApiAnswer signature(
      String method,
      String rawPath,
      String rawQuery,
      Function<String, List<String>> headers,
      byte[] body) {
    return !signed(headers)
        ? null
        : refusal(signatures.verify(method, rawPath, rawQuery, headers, body));
  }

  private static ApiAnswer refusal(AwsSignatureCheck.Verdict verdict) {
    return verdict instanceof AwsSignatureCheck.Refused refused
        ? ApiAnswer.error(refused.status(), refused.code(), refused.message())
        : null;
  }
}
