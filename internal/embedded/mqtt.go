package embedded

import (
	"context"
	"errors"
	"net"
	"strconv"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/stationbench/stationbench/scenarios"
)

// MQTTServer is the embedded nats-server with an MQTT listener, for a
// target of kind mqtt: producers connect to its MQTT address, while the
// station's stream and the QoS 0 subscriber use its NATS address.
type MQTTServer struct {
	*Server
	mqttPort int
}

// StartMQTT starts the embedded nats-server with JetStream and an MQTT
// listener on 127.0.0.1, on a free port (its signature is that of
// protocols.Protocol.Embed). nats-server needs a server name and
// JetStream to speak MQTT; the embedded one has both.
func StartMQTT(ctx context.Context, _ scenarios.Target) (Broker, error) {
	return StartMQTTWith(ctx, Options{})
}

// StartMQTTWith is StartMQTT with the server's options (tests set users,
// TLS or a store directory through them); o.Configure runs before the
// MQTT listener is added.
func StartMQTTWith(ctx context.Context, o Options) (*MQTTServer, error) {
	var opts *server.Options
	configure := o.Configure
	o.Configure = func(so *server.Options) {
		if configure != nil {
			configure(so)
		}
		so.MQTT.Host = "127.0.0.1"
		if so.MQTT.Port == 0 {
			so.MQTT.Port = server.RANDOM_PORT
		}
		opts = so
	}
	s, err := Start(ctx, o)
	if err != nil {
		return nil, err
	}
	// The server keeps opts and writes the port it chose into them, under
	// the lock that ReadyForConnections (in Start) takes after it.
	port := opts.MQTT.Port
	if port <= 0 {
		s.Shutdown()
		return nil, errors.New("embedded server: the MQTT listener did not start")
	}
	return &MQTTServer{Server: s, mqttPort: port}, nil
}

// URL is the MQTT address, which the target's producers connect to.
func (s *MQTTServer) URL() string {
	return "mqtt://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(s.mqttPort))
}

// MQTTPort is the port of the MQTT listener.
func (s *MQTTServer) MQTTPort() int { return s.mqttPort }

// NATSURL is the NATS address of the same server, where the station's
// stream is made and verified and QoS 0 deliveries are received.
func (s *MQTTServer) NATSURL() string { return s.Server.URL() }
