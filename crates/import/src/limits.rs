//! Every bound on what the importer accepts, each with why. The model's own
//! bounds ([`defines_model::limits`]) apply to what the import produces
//! (loop sizes, layer count, MACs); these bound the ONNX file itself, and
//! are checked before anything is allocated from a count they bound.

use defines_model::limits::MAX_LAYERS;

/// Largest ONNX file, in bytes. A model whose weights are stored inside
/// the file is about as large as its weights (ResNet-50 in fp32 is about
/// 100 MB); decoding holds the file and its parsed messages in memory.
pub const MAX_ONNX_BYTES: usize = 512 << 20;
/// Why [`MAX_ONNX_BYTES`] exists.
pub const MAX_ONNX_BYTES_WHY: &str =
    "the whole file is decoded in memory; the weights' values are never needed, \
     so a model saved with external data or without weights is enough";

/// Largest number of nodes in the graph: a layer is at most a few nodes
/// (a convolution, its batch normalization, an activation, a reshape).
pub const MAX_NODES: usize = 4 * MAX_LAYERS;
/// Largest number of initializers (weights, biases, shape constants).
pub const MAX_INITIALIZERS: usize = 4 * MAX_LAYERS;
/// Largest number of graph inputs, outputs and `value_info` entries, each.
pub const MAX_VALUE_INFOS: usize = 4 * MAX_LAYERS;
/// Why the node, initializer and value-info bounds exist.
pub const MAX_NODES_WHY: &str =
    "a workload has at most 4096 layers, and a layer is at most a few ONNX nodes";

/// Largest rank of a tensor (number of dimensions). Convolutions read
/// 4-dimensional tensors; 8 leaves room for any shape-only op around them.
pub const MAX_RANK: usize = 8;

/// Largest number of elements of a constant whose values the importer
/// reads (the shape of a Reshape, the starts of a Slice, the pads of a
/// Pad): such constants have one value per dimension.
pub const MAX_CONST_VALUES: usize = 64;

/// Largest number of attributes of one node.
pub const MAX_ATTRIBUTES: usize = 64;

/// The ONNX default-domain opsets the importer reads. 7 is the oldest opset
/// whose operators here all have today's inputs and attributes (opset 7
/// redefined the element-wise operators with numpy broadcasting); 28 is the
/// newest opset of the `onnx.proto` this crate was generated from
/// (onnx 1.23.2).
pub const OPSETS: core::ops::RangeInclusive<i64> = 7..=28;

/// Longest node or tensor name quoted in a message (longer ones are cut).
pub const MAX_NAME_CHARS: usize = 80;

/// Largest ZigZag YAML file (hardware, mapping or workload), in bytes: the
/// model's own document bound. ZigZag's files are a few kilobytes.
pub const MAX_YAML_BYTES: usize = defines_model::limits::MAX_DOCUMENT_BYTES;
/// Why [`MAX_YAML_BYTES`] exists.
pub const MAX_YAML_BYTES_WHY: &str =
    "the converted document must fit the model's document bound, and ZigZag's files are a few kilobytes";

/// Largest number of values in one YAML file, aliases expanded (each
/// expansion counts its values again), so that a small file of nested
/// aliases cannot expand into a huge tree.
pub const MAX_YAML_NODES: usize = 1 << 20;
/// Why [`MAX_YAML_NODES`] exists.
pub const MAX_YAML_NODES_WHY: &str =
    "a workload of 4096 layers is far below it; nested aliases beyond it would only exhaust memory";

/// Deepest nesting of YAML collections. ZigZag's files nest four or five
/// levels (memories, a memory, its ports, a port, its allocation).
pub const MAX_YAML_DEPTH: usize = 32;

/// An input shape as people write it, `NxCxHxW` (e.g. `1x3x540x960`): four
/// whole numbers from 1 to the model's loop-size limit. The CLI's
/// `--input-shape` and the page's shape field read it with this.
pub fn parse_input_shape(value: &str) -> Result<[u64; 4], alloc::string::String> {
    let bad = || {
        alloc::format!(
            "an input shape is NxCxHxW, four whole numbers from 1 to {} (e.g. 1x3x224x224), not `{value}`",
            defines_model::limits::MAX_LOOP_SIZE
        )
    };
    let v: alloc::vec::Vec<u64> = value
        .split(['x', 'X', '×'])
        .map(|s| {
            s.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=defines_model::limits::MAX_LOOP_SIZE).contains(n))
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    v.try_into().map_err(|_| bad())
}
