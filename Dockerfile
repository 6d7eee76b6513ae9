# syntax=docker/dockerfile:1
#
# The roomlog image: one jar, one role per command, as on a plain machine.
#
#   docker build -t roomlog .
#   docker run --rm -p 8080:8080 roomlog dev          # everything in one container
#   docker run --rm roomlog gateway --help            # the flags and environment of one role
#
# docker-compose.yml runs the roles on a three-broker cluster. Heap and other JVM flags go in
# JAVA_TOOL_OPTIONS (read by the JVM itself, e.g. JAVA_TOOL_OPTIONS=-Xmx384m); without it
# the heap is three quarters of the container's memory limit.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The Maven repository is a build cache, so a rebuild after a code change downloads nothing.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -DskipTests -DskipITs package -pl server -am

FROM eclipse-temurin:17-jre
# curl is for the health checks (docker-compose.yml): the gateway and the processor answer
# GET /healthz.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system roomlog \
    && useradd --system --gid roomlog --home-dir /var/lib/roomlog --no-create-home roomlog \
    && mkdir -p /var/lib/roomlog \
    && chown roomlog:roomlog /var/lib/roomlog
# roomlog.jar finds its dependencies in lib/ beside it (the Class-Path of its manifest).
COPY --from=build /src/server/target/lib/ /opt/roomlog/lib/
COPY --from=build /src/server/target/roomlog.jar /opt/roomlog/roomlog.jar

USER roomlog
# The processor's state (--state-dir) and roomlog dev's data directory are relative to here by
# default; a named volume keeps them across container restarts, though a processor can always
# rebuild its state from Kafka.
WORKDIR /var/lib/roomlog
VOLUME /var/lib/roomlog

# 8080: the gateway's WebSocket port (--port); 8081: its management API (--admin-port);
# 7070: the processor's query port (--query-port).
EXPOSE 8080 8081 7070

# Exec form: java is PID 1 and gets the SIGTERM of `docker stop`, so a gateway closes its
# sockets and writes their $disconnect records before it exits. An OutOfMemoryError ends the
# process for the restart policy to deal with, instead of leaving a half-working one.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/roomlog/roomlog.jar"]
CMD ["--help"]
