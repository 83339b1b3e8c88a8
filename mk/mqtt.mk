# MQTT: libmosquitto at run time, and a real broker and openssl for the tests.
DEPS_APT += mosquitto mosquitto-clients libmosquitto1 openssl
