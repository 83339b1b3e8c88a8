# MQTT: MQTTnet (a NuGet package, in the binaries) on both sides, so no MQTT library at run time; a real
# broker, its clients and openssl for the tests.
DEPS_APT += mosquitto mosquitto-clients openssl
