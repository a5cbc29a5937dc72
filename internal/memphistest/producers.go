package memphistest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// producerRequest is the create- and destroy-producer request.
type producerRequest struct {
	Name         string `json:"name"`
	StationName  string `json:"station_name"`
	ConnectionID string `json:"connection_id"`
	ProducerType string `json:"producer_type"`
	ReqVersion   int    `json:"req_version"`
	Username     string `json:"username"`
}

func (b *Broker) createProducer(m *nats.Msg) {
	fail := func(err error) {
		data, _ := json.Marshal(map[string]string{"error": "memphis: " + err.Error()})
		_ = m.Respond(data)
	}
	var req producerRequest
	if err := json.Unmarshal(m.Data, &req); err != nil {
		fail(err)
		return
	}
	name := strings.ToLower(req.Name)
	if err := nameError("producer", name); err != nil {
		fail(err)
		return
	}
	if req.ConnectionID == "" || req.ProducerType != "application" || req.ReqVersion != 4 {
		fail(fmt.Errorf("bad create-producer request %s", m.Data))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, _, err := b.ensureStation(ctx, defaultStation(req.StationName))
	if err != nil {
		fail(err)
		return
	}
	st := InternalName(req.StationName)
	b.mu.Lock()
	if _, dup := b.producers[st][name]; dup {
		b.mu.Unlock()
		fail(fmt.Errorf("producer name (%s) has to be unique per station", name))
		return
	}
	if b.producers[st] == nil {
		b.producers[st] = map[string]string{}
	}
	b.producers[st][name] = req.ConnectionID
	b.created = append(b.created, st+"/"+name)
	b.mu.Unlock()
	list := make([]int, n)
	for i := range list {
		list[i] = i + 1
	}
	resp := map[string]any{
		"error":              "",
		"schema_update":      map[string]any{"type": 0},
		"partitions_update":  map[string]any{"partitions_list": list},
		"schemaverse_to_dls": false,
		"send_notification":  false,
	}
	data, _ := json.Marshal(resp)
	_ = m.Respond(data)
}

func (b *Broker) destroyProducer(m *nats.Msg) {
	var req producerRequest
	if err := json.Unmarshal(m.Data, &req); err != nil {
		reply(m, err)
		return
	}
	st, name := InternalName(req.StationName), strings.ToLower(req.Name)
	b.mu.Lock()
	defer b.mu.Unlock()
	if id, ok := b.producers[st][name]; !ok || id != req.ConnectionID {
		reply(m, fmt.Errorf("producer %s of station %s does not exist", name, req.StationName))
		return
	}
	delete(b.producers[st], name)
	b.destroyed = append(b.destroyed, st+"/"+name)
	reply(m, nil)
}
