# Just enough of OpenWrt's /etc/rc.common for tests to source an init script and call its functions.
USE_PROCD=1
procd_open_instance() { :; }
procd_set_param() { :; }
procd_close_instance() { :; }
procd_add_reload_trigger() { :; }
