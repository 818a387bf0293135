import { defineErrors } from '../../kernel/index.js';

export const LedgerErrors = defineErrors({
  'LEDGER.BAD_TILE_PATH': {
    status: 400,
    zh: '瓦片路径格式不正确（应为 tile/<层>/<编号>[.p/<宽度>]）',
    en: 'The tile path is malformed (expected tile/<L>/<N>[.p/<W>])',
  },
  'LEDGER.TILE_NOT_FOUND': {
    status: 404,
    zh: '该瓦片尚不存在',
    en: 'That tile does not exist (yet)',
  },
  'LEDGER.BAD_RANGE': {
    status: 400,
    zh: '序号或树大小超出范围（当前日志大小 {size}）',
    en: 'The index or tree size is out of range (the log holds {size} leaves)',
  },
  'LEDGER.NO_CHECKPOINT': {
    status: 503,
    zh: '日志尚未发布检查点',
    en: 'The log has not published a checkpoint yet',
  },
  'LEDGER.UNKNOWN_WITNESS': {
    status: 403,
    zh: '未登记的见证方或密钥不符',
    en: 'Unknown witness, or not its registered key',
  },
  'LEDGER.BAD_COSIGNATURE': {
    status: 400,
    zh: '联署签名无效：{reason}',
    en: 'The cosignature is not valid: {reason}',
  },
  'LEDGER.UNKNOWN_CHECKPOINT': {
    status: 409,
    zh: '本日志没有发布过该检查点',
    en: 'This log never published that checkpoint',
  },
  'LEDGER.BAD_WITNESS_KEY': {
    status: 400,
    zh: '见证方密钥格式不正确（应为 名称+密钥哈希+base64，类型 0x04）',
    en: 'The witness key is malformed (expected name+hash+base64 of a type 0x04 key)',
  },
});
