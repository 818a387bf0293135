import { defineErrors } from '../../kernel/index.js';

export const HallsErrors = defineErrors({
  'HALLS.NOT_FOUND': { status: 404, zh: '未找到该服务大厅', en: 'No such service hall' },
  'HALLS.WINDOW_NOT_FOUND': {
    status: 404,
    zh: '该大厅没有 {window} 号窗口',
    en: 'The hall has no window {window}',
  },
  'HALLS.TICKET_NOT_FOUND': { status: 404, zh: '未找到该号码', en: 'No such ticket' },
  'HALLS.CASE_NOT_FOUND': { status: 404, zh: '未找到该办件', en: 'No such case' },
  'HALLS.CLOSED': {
    status: 409,
    zh: '大厅今天（{date}）不开放，不能取号',
    en: 'The hall is closed today ({date}); no tickets are issued',
  },
  'HALLS.TICKET_NOT_CALLED': {
    status: 409,
    zh: '该号码当前不在本窗口办理，不能执行此操作',
    en: 'The ticket is not being served at this window',
  },
  'HALLS.ALREADY_WAITING': {
    status: 409,
    zh: '您在该大厅已有一个等候中的号码（{ticket}）',
    en: 'You already hold a waiting ticket at this hall ({ticket})',
  },
  'HALLS.SLOT_FULL': {
    status: 409,
    zh: '该时段已约满，请选择其他时段',
    en: 'The slot is fully booked; choose another',
  },
  'HALLS.SLOT_NOT_FOUND': {
    status: 404,
    zh: '该大厅在 {date} 没有此预约时段',
    en: 'The hall has no such slot on {date}',
  },
  'HALLS.BOOKING_SUSPENDED': {
    status: 403,
    zh: '30 天内爽约 {count} 次，网上预约暂停至 {until}',
    en: '{count} missed appointments in 30 days: online booking is suspended until {until}',
  },
  'HALLS.ALREADY_BOOKED': {
    status: 409,
    zh: '您当天在该大厅已有预约',
    en: 'You already hold an appointment at this hall that day',
  },
  'HALLS.APPOINTMENT_NOT_FOUND': { status: 404, zh: '未找到该预约', en: 'No such appointment' },
  'HALLS.APPOINTMENT_NOT_ACTIVE': {
    status: 409,
    zh: '该预约已取消、已签到或已过期',
    en: 'The appointment was cancelled, checked in or has passed',
  },
  'HALLS.CHECKIN_WRONG_DAY': {
    status: 409,
    zh: '只能在预约当天（{date}）签到',
    en: 'Check in on the day of the appointment ({date})',
  },
  'HALLS.REGION_UNKNOWN': {
    status: 404,
    zh: '未找到该行政区划的服务大厅',
    en: 'No hall is known for that division',
  },
  'HALLS.NEAREST_NEEDS_ORIGIN': {
    status: 400,
    zh: '请提供所在行政区划（region）或地图位置（lat、lng）',
    en: 'Give a division (region) or a map position (lat, lng)',
  },
  'HALLS.ITEM_NOT_ACCEPTED': {
    status: 404,
    zh: '未找到该事项，或附近没有受理该事项的大厅',
    en: 'No such item, or no hall nearby accepts it',
  },
  'HALLS.FACE_MISMATCH': {
    status: 403,
    zh: '人脸比对未通过，请正对摄像头重试，或到咨询台办理',
    en: 'The face did not match the card; face the camera and try again, or ask at the enquiry desk',
  },
  'HALLS.DEVICE_UNAVAILABLE': {
    status: 503,
    zh: '读卡设备暂不可用，请到咨询台办理',
    en: 'The card reader is not available; please ask at the enquiry desk',
  },
  'HALLS.KIOSK_SIGNED_OUT': { status: 401, zh: '请先刷身份证', en: 'Read your ID card first' },
  'HALLS.LAYOUT_INVALID': {
    status: 400,
    zh: '大厅设置有误：请按提示修改窗口、业务线、人员或开放时间',
    en: 'The hall layout has problems: correct the windows, lines, staff or hours as shown',
  },
  'HALLS.NOT_ON_DUTY': {
    status: 403,
    zh: '您未被安排在 {window} 号窗口值班',
    en: 'You are not on duty at window {window}',
  },
  'HALLS.DATE_OUT_OF_RANGE': {
    status: 400,
    zh: '只能预约今天起 {days} 天内的时段',
    en: 'Appointments can be made from today up to {days} days ahead',
  },
});
