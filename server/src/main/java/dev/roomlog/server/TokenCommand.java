package dev.roomlog.server;

import dev.roomlog.gateway.auth.UserTokens;
import dev.roomlog.protocol.settings.Durations;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code roomlog token}: prints a user token, alone on stdout so that a script can use it ({@code
 * wscat -c "ws://localhost:8080/?token=$(roomlog token --sub alice --name Alice)"}).
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Prints a user token (an HS256 JWT) signed with the token secret: --token-secret, or the dev secret that roomlog dev keeps in its data directory (made here if it is not there yet). For development and tests; in production your backend signs its users' tokens.")
final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--sub", required = true, description = "The user's identity (claim sub).")
  String subject;

  @Option(
      names = "--name",
      description =
          "The user's display name, which becomes the username (claim name; default: --sub).")
  String name;

  @Option(
      names = "--rooms",
      split = ",",
      paramLabel = "ROOM",
      description =
          "The rooms the user may join, send to and resume: exact ids, or prefixes ending in * (claim rooms; default: any room).")
  List<String> rooms;

  @Option(
      names = "--no-create-rooms",
      description = "The user may not create rooms (claim createRooms: false).")
  boolean noCreateRooms;

  @Option(
      names = "--ttl",
      defaultValue = "1h",
      description =
          "How long the token is valid, e.g. 15m, 1h, 7d; at most 30d (default ${DEFAULT-VALUE}).")
  String ttl;

  @Option(names = "--issuer", description = "The iss claim, when the gateway checks tokenIssuer.")
  String issuer;

  @Option(
      names = "--audience",
      description = "The aud claim, when the gateway checks tokenAudience.")
  String audience;

  @Option(
      names = "--token-secret",
      defaultValue = "${env:ROOMLOG_TOKEN_SECRET}",
      description =
          "The gateway's tokenSecret (env ROOMLOG_TOKEN_SECRET); without it, the dev secret in --data-dir.")
  String secret;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:ROOMLOG_DATA_DIR:-roomlog-data}",
      description =
          "roomlog dev's data directory, where the dev token secret is kept (env ROOMLOG_DATA_DIR; default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    UserTokens token =
        new UserTokens(
            subject,
            name == null ? subject : name,
            rooms,
            !noCreateRooms,
            Durations.parse("--ttl", ttl),
            issuer,
            audience);
    String key = secret != null && !secret.isBlank() ? secret : DevSecrets.tokenSecret(dataDir);
    spec.commandLine().getOut().println(token.sign(key, Clock.systemUTC()));
    return 0;
  }
}
