package memphis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/stationbench/stationbench/scenarios"
)

// memphisRequestTimeout is how long the broker's control plane may take to
// answer, as in the Memphis SDK.
const memphisRequestTimeout = 20 * time.Second

// memphisCreateStation is the create-station request.
type memphisCreateStation struct {
	Name                 string         `json:"name"`
	RetentionType        string         `json:"retention_type"`
	RetentionValue       int            `json:"retention_value"`
	StorageType          string         `json:"storage_type"`
	Replicas             int            `json:"replicas"`
	IdempotencyWindowMs  int64          `json:"idempotency_window_in_ms"`
	SchemaName           string         `json:"schema_name"`
	DlsConfiguration     memphisDLSConf `json:"dls_configuration"`
	Username             string         `json:"username"`
	TieredStorageEnabled bool           `json:"tiered_storage_enabled"`
	PartitionsNumber     int            `json:"partitions_number"`
	DlsStation           string         `json:"dls_station"`
}

// memphisDLSConf is the dead-letter configuration of a station.
type memphisDLSConf struct {
	Poison      bool `json:"poison"`
	Schemaverse bool `json:"schemaverse"`
}

// memphisDestroyStation is the destroy-station request.
type memphisDestroyStation struct {
	StationName string `json:"station_name"`
	Username    string `json:"username"`
}

// memphisCreateProducer is the create-producer request (version 4).
type memphisCreateProducer struct {
	Name           string `json:"name"`
	StationName    string `json:"station_name"`
	ConnectionID   string `json:"connection_id"`
	ProducerType   string `json:"producer_type"`
	RequestVersion int    `json:"req_version"`
	Username       string `json:"username"`
	AppID          string `json:"app_id"`
	SdkLang        string `json:"sdk_lang"`
}

// memphisCreateProducerReply is the part of the create-producer reply a
// benchmark needs.
type memphisCreateProducerReply struct {
	Error            string `json:"error"`
	PartitionsUpdate struct {
		PartitionsList []int `json:"partitions_list"`
	} `json:"partitions_update"`
}

// memphisDestroyProducer is the destroy-producer request (version 1).
type memphisDestroyProducer struct {
	Name           string `json:"name"`
	StationName    string `json:"station_name"`
	Username       string `json:"username"`
	ConnectionID   string `json:"connection_id"`
	RequestVersion int    `json:"req_version"`
}

// stationRequest is the create-station request for a scenario's station.
func stationRequest(st scenarios.Station, user string) memphisCreateStation {
	return memphisCreateStation{
		Name:                st.Name,
		RetentionType:       st.RetentionType,
		RetentionValue:      st.RetentionValue,
		StorageType:         st.Storage,
		Replicas:            st.Replicas,
		IdempotencyWindowMs: st.IdempotencyWindow.D().Milliseconds(),
		DlsConfiguration:    memphisDLSConf{Poison: true, Schemaverse: true},
		Username:            user,
		PartitionsNumber:    st.Partitions,
	}
}

// errAlreadyExists marks a create-station reply saying the station exists.
// Broker 1.4.4 answers an existing station with an empty reply instead, so
// the driver looks first; this covers a station made by someone else
// between the look and the create, on brokers that do say so.
var errAlreadyExists = errors.New("already exists")

// memphisRequest sends one control-plane request and returns the reply's
// error: an empty reply, or a JSON one with an empty error field, is success.
// out, when not nil, receives the decoded JSON reply.
func memphisRequest(ctx context.Context, nc *nats.Conn, subject string, req, out any) error {
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: %w", subject, err)
	}
	ctx, cancel := context.WithTimeout(ctx, memphisRequestTimeout)
	defer cancel()
	msg, err := nc.RequestWithContext(ctx, subject, data)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%s: no Memphis control plane answered (is this a Memphis broker?): %w", subject, err)
	case err != nil:
		return fmt.Errorf("%s: %w", subject, err)
	}
	if len(msg.Data) == 0 {
		return nil
	}
	var reply struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(msg.Data, &reply) != nil {
		reply.Error = string(msg.Data)
	}
	if reply.Error != "" {
		if strings.Contains(reply.Error, "already exist") {
			return fmt.Errorf("%s: %s: %w", subject, reply.Error, errAlreadyExists)
		}
		return fmt.Errorf("%s: memphis: %s", subject, strings.TrimPrefix(reply.Error, "memphis: "))
	}
	if out != nil {
		if err := json.Unmarshal(msg.Data, out); err != nil {
			return fmt.Errorf("%s: reply: %w", subject, err)
		}
	}
	return nil
}
