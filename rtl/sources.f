// The device's RTL files, leaf modules first and the top last: the one list that the simulator
// builds, lint, synthesis and the block tests read (irqloop/toolchain.py RTL_SOURCES,
// scripts/synth.sh). One file a line; // comments. The order is the order Yosys reads them in,
// and its cell counts depend on it.
chunk_pattern.v
msi_vector_ctrl.v
dma_axi_writer.v
ring_producer.v
irqloop_csr.v
cq_csr.v
cq_engine.v
cpl_traffic_gen.v
cq_vector_map.v
irq_moderation.v
msix_table.v
irqloop_dev.v
