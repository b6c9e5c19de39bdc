/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file frame.h
 * @brief ECHONET Lite frame decode (views) and encode (writer).
 *
 * @defgroup frame Frames
 * @brief Decoding frames into views of the caller's buffer, and writing them.
 *
 * Decoding validates a whole frame at once: EHD1, EHD2, the header, the ESV
 * and every OPC, EPC, PDC and EDT against the buffer. A frame is either valid
 * in every length field or rejected with the kind and byte offset of its
 * first fault; nothing is copied, property values are pointers into the
 * caller's buffer.
 *
 * Policies (where the standard is silent; see doc/decisions.md):
 * - Reserved ESV codes are rejected (@ref ECHONET_ERR_ESV).
 * - A request or INFC with no property is rejected (@ref ECHONET_ERR_OPC_ZERO);
 *   for SetGet that means both blocks empty. One empty SetGet block is
 *   accepted, and responses and INF may carry no property at all.
 * - A UDP datagram must be exactly one frame (echonet_frame_decode_udp());
 *   bytes after the declared end are @ref ECHONET_ERR_TRAILING.
 * - Format 2 (EHD2 = 0x82) frames are returned as an opaque EDATA view that
 *   runs to the end of the buffer.
 *
 * Writing goes through an @ref echonet_writer over a caller buffer. Errors
 * are sticky; the OPC counts and the SetGet block structure are maintained by
 * the writer, so any frame it finishes decodes again.
 * @{
 */
#ifndef ECHONET_FRAME_H
#define ECHONET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"
#include "echonet/eoj.h"
#include "echonet/error.h"
#include "echonet/esv.h"

ECHONET_BEGIN_DECLS

/** @brief EHD1 of every ECHONET Lite frame. */
#define ECHONET_EHD1 0x10u
/** @brief EHD2 of format 1 (specified message format). */
#define ECHONET_EHD2_FORMAT1 0x81u
/** @brief EHD2 of format 2 (arbitrary message format). */
#define ECHONET_EHD2_FORMAT2 0x82u
/** @brief Bytes of a format 1 header up to and including OPC. */
#define ECHONET_HEADER_LEN 12u
/** @brief Bytes of EHD1, EHD2 and TID, the part every format shares. */
#define ECHONET_FRAME_MIN_LEN 4u
/** @brief The largest possible format 1 frame: 12 + 255 × (2 + 255) bytes. */
#define ECHONET_FRAME_MAX_LEN 65547u
/** @brief UDP port of ECHONET Lite. */
#define ECHONET_PORT 3610u

/** @brief One property of a frame: a view into the frame's buffer. */
typedef struct echonet_prop {
    uint8_t epc;        /**< property code */
    uint8_t pdc;        /**< number of bytes at @c edt */
    const uint8_t *edt; /**< the value; NULL when @c pdc is 0 */
} echonet_prop;

/**
 * @brief A copyable cursor over the properties of one block of a decoded frame.
 *
 * Copy it to walk a block twice. The fields are private.
 */
typedef struct echonet_prop_iter {
    const uint8_t *pos; /**< @private next EPC */
    uint8_t left;       /**< @private properties not yet returned */
} echonet_prop_iter;

/**
 * @brief A decoded frame: header fields and views of its properties.
 *
 * @c props and @c props_get are cursors: echonet_prop_next() advances the
 * one it is given, so walk a copy (`echonet_prop_iter it = frame.props;`)
 * to keep the frame whole, e.g. for echonet_frame_encode().
 */
typedef struct echonet_frame {
    uint8_t format;      /**< 1 or 2 (from EHD2 0x81 / 0x82) */
    uint16_t tid;        /**< TID, read big-endian */
    echonet_eoj seoj;    /**< source object (format 1 only) */
    echonet_eoj deoj;    /**< destination object (format 1 only) */
    uint8_t esv;         /**< service code (format 1 only) */
    uint8_t opc;         /**< properties in @c props (OPCSet for the SetGet family) */
    uint8_t opc_get;     /**< properties in @c props_get (OPCGet; SetGet family only) */
    echonet_prop_iter props;     /**< the properties (the Set block of SetGet) */
    echonet_prop_iter props_get; /**< the Get block of the SetGet family; empty otherwise */
    const uint8_t *edata; /**< EDATA: everything after the TID */
    size_t edata_len;     /**< bytes at @c edata */
    size_t len;           /**< bytes of the whole frame */
} echonet_frame;

/**
 * @brief Decodes one frame from the start of @p buf.
 *
 * The frame may be followed by other bytes (the next frame of a TCP stream);
 * the return value tells where it ends. A format 2 frame cannot be delimited
 * and takes the whole buffer.
 *
 * @param frame receives the frame on success; unspecified on failure.
 * @param buf the bytes; must not be NULL unless @p len is 0.
 * @param len bytes at @p buf.
 * @param err_offset if not NULL, receives on failure the offset of the fault:
 *        the first byte of the field or property that is wrong or that does
 *        not fit in @p len bytes.
 * @return bytes consumed (at least 4) on success, or a negative error code:
 * @retval ECHONET_ERR_INVALID_ARG @p frame is NULL, or @p buf is NULL with
 *         @p len > 0.
 * @retval ECHONET_ERR_TRUNCATED the buffer ends inside the frame.
 * @retval ECHONET_ERR_EHD1 the first byte is not 0x10.
 * @retval ECHONET_ERR_EHD2 the second byte is not 0x81 or 0x82.
 * @retval ECHONET_ERR_ESV a reserved service code.
 * @retval ECHONET_ERR_OPC_ZERO a request or INFC without a property.
 * @retval ECHONET_ERR_TOO_LONG a format 2 frame longer than
 *         @ref ECHONET_FRAME_MAX_LEN (@p err_offset is that length).
 */
ECHONET_API int32_t echonet_frame_decode(echonet_frame *frame, const uint8_t *buf,
                                         size_t len, size_t *err_offset);

/**
 * @brief Decodes a UDP datagram, which must be exactly one frame.
 *
 * As echonet_frame_decode(), and further:
 * @param frame receives the frame on success; unspecified on failure.
 * @param buf the datagram; must not be NULL unless @p len is 0.
 * @param len the datagram's length.
 * @param err_offset if not NULL, receives the offset of the fault on failure.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_OK the datagram is one valid frame.
 * @retval ECHONET_ERR_TRAILING bytes follow the frame's declared end
 *         (@p err_offset points at the first of them).
 */
ECHONET_API echonet_err echonet_frame_decode_udp(echonet_frame *frame, const uint8_t *buf,
                                                 size_t len, size_t *err_offset);

/**
 * @brief Returns the next property of a block.
 * @param it the cursor, advanced on success.
 * @param prop receives the property.
 * @return true when @p prop was filled; false at the end of the block.
 */
ECHONET_API bool echonet_prop_next(echonet_prop_iter *it, echonet_prop *prop);

/**
 * @brief Finds the first property with code @p epc in a block.
 * @param it the block (not advanced: the search works on a copy).
 * @param epc the property code.
 * @param prop receives the property when found; may be NULL.
 * @return true when found.
 */
ECHONET_API bool echonet_prop_find(echonet_prop_iter it, uint8_t epc, echonet_prop *prop);

/**
 * @brief A frame writer over a caller buffer. The fields are private.
 *
 * Use: echonet_writer_init(), echonet_writer_header() (or
 * echonet_writer_format2()), any number of echonet_writer_prop(), for the
 * SetGet family echonet_writer_get_block() and more properties, then
 * echonet_writer_finish(). After the first error every call does nothing and
 * echonet_writer_finish() returns that error; after an overflow the writer
 * keeps counting the bytes the frame needs.
 */
typedef struct echonet_writer {
    uint8_t *buf;    /**< @private */
    size_t cap;      /**< @private */
    size_t len;      /**< @private bytes the frame needs so far */
    size_t opc_pos;  /**< @private offset of the current block's OPC byte */
    uint8_t esv;     /**< @private */
    uint8_t state;   /**< @private */
    uint16_t count;  /**< @private properties in the current block */
    uint16_t total;  /**< @private properties in all blocks */
    int err;         /**< @private sticky error */
} echonet_writer;

/**
 * @brief Prepares a writer.
 * @param w the writer; nothing happens when NULL.
 * @param buf where the frame goes; may be NULL to measure a frame without
 *        writing it (@p cap is then taken as 0).
 * @param cap bytes at @p buf.
 */
ECHONET_API void echonet_writer_init(echonet_writer *w, uint8_t *buf, size_t cap);

/**
 * @brief Writes a format 1 header: EHD, TID, SEOJ, DEOJ, ESV and the OPC
 *        (OPCSet for the SetGet family) that later properties count into.
 *
 * Sticky errors: @ref ECHONET_ERR_WRITER_STATE (a header was already
 * written), @ref ECHONET_ERR_ESV (@p esv is reserved), @ref ECHONET_ERR_NOBUF.
 * @param w the writer; nothing happens when NULL.
 * @param tid transaction ID, written big-endian.
 * @param seoj source object.
 * @param deoj destination object.
 * @param esv service code.
 */
ECHONET_API void echonet_writer_header(echonet_writer *w, uint16_t tid, echonet_eoj seoj,
                                       echonet_eoj deoj, uint8_t esv);

/**
 * @brief Appends a property to the current block.
 * @param w the writer; nothing happens when NULL.
 * @param epc property code.
 * @param pdc bytes of the value, 0 to 255.
 * @param edt @p pdc bytes; may be NULL when @p pdc is 0.
 *
 * Sticky errors: @ref ECHONET_ERR_WRITER_STATE (no format 1 header yet),
 * @ref ECHONET_ERR_OPC_OVERFLOW (a 256th property in the block),
 * @ref ECHONET_ERR_PDC_OVERFLOW (@p pdc > 255 or @p edt NULL with @p pdc > 0),
 * @ref ECHONET_ERR_NOBUF (the buffer is full; counting goes on).
 */
ECHONET_API void echonet_writer_prop(echonet_writer *w, uint8_t epc, size_t pdc,
                                     const uint8_t *edt);

/**
 * @brief Ends the Set block of a SetGet, SetGet_Res or SetGet_SNA and starts
 *        its Get block (writes OPCGet).
 *
 * Sticky errors: @ref ECHONET_ERR_WRITER_STATE (not a SetGet-family frame,
 * or the Get block was already started), @ref ECHONET_ERR_NOBUF.
 * @param w the writer; nothing happens when NULL.
 */
ECHONET_API void echonet_writer_get_block(echonet_writer *w);

/**
 * @brief Writes a whole format 2 frame: EHD, TID and the opaque EDATA.
 *
 * Sticky errors: @ref ECHONET_ERR_WRITER_STATE (something was already
 * written), @ref ECHONET_ERR_INVALID_ARG (@p edata NULL with @p len > 0),
 * @ref ECHONET_ERR_TOO_LONG (the frame would exceed
 * @ref ECHONET_FRAME_MAX_LEN), @ref ECHONET_ERR_NOBUF.
 * @param w the writer; nothing happens when NULL.
 * @param tid transaction ID, written big-endian.
 * @param edata the message; may be NULL when @p len is 0.
 * @param len bytes at @p edata.
 */
ECHONET_API void echonet_writer_format2(echonet_writer *w, uint16_t tid, const uint8_t *edata,
                                        size_t len);

/**
 * @brief Completes the frame (for the SetGet family, an empty Get block is
 *        added if none was started) and reports its size.
 * @param w the writer; it accepts nothing more afterwards. NULL gives
 *        @ref ECHONET_ERR_INVALID_ARG.
 * @param len if not NULL, receives the frame's length, or on
 *        @ref ECHONET_ERR_NOBUF the buffer size it needs.
 * @retval ECHONET_OK the frame is complete in the buffer.
 * @retval ECHONET_ERR_NOBUF the buffer was too small.
 * @retval ECHONET_ERR_OPC_ZERO a request or INFC without any property.
 * @retval ECHONET_ERR_WRITER_STATE nothing was written, or finished twice.
 * @return or the first sticky error of an earlier call.
 */
ECHONET_API echonet_err echonet_writer_finish(echonet_writer *w, size_t *len);

/**
 * @brief Encodes a decoded frame again: the inverse of echonet_frame_decode().
 *
 * The output is byte-identical to the frame that was decoded.
 * @param frame a frame filled by echonet_frame_decode().
 * @param buf output buffer (NULL to measure).
 * @param cap bytes at @p buf.
 * @param len if not NULL, receives the length written or needed.
 * @return as echonet_writer_finish(); @ref ECHONET_ERR_INVALID_ARG when
 *         @p frame is NULL.
 * @retval ECHONET_OK the frame is in @p buf.
 * @retval ECHONET_ERR_INVALID_ARG @p frame is NULL.
 * @retval ECHONET_ERR_NOBUF @p cap is too small (@p len tells the size needed).
 * @retval ECHONET_ERR_ESV, ECHONET_ERR_OPC_ZERO, ECHONET_ERR_TOO_LONG
 *         @p frame was not filled by echonet_frame_decode() and breaks the
 *         rules the decoder enforces.
 */
ECHONET_API echonet_err echonet_frame_encode(const echonet_frame *frame, uint8_t *buf,
                                             size_t cap, size_t *len);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_FRAME_H */
